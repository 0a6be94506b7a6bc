import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation
import Testing

/// A site installed by `Deploy/install.sh` under a temporary root (its `DESTDIR`) and run the
/// way its systemd units say: the commands come from the installed unit files; the tests only
/// move the absolute paths of the deployment (`/etc/arbor`, `/var/lib/arbor`, `/usr/local/bin`)
/// into the root and edit `site.json` as an operator would (addresses, ports, database).
final class DeployedSite: @unchecked Sendable {
    static let deployDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy")
    /// The absolute paths of a deployment, moved under the root.
    static let deploymentPaths = ["/etc/arbor", "/var/lib/arbor", "/usr/local/bin", "/etc/systemd/system"]

    let root: URL
    private(set) var processes: [UnitProcess] = []

    var configFile: URL { URL(fileURLWithPath: path("/etc/arbor/site.json")) }

    private init(root: URL) {
        self.root = root
    }

    /// Runs `Deploy/install.sh role` with `DESTDIR` a new temporary directory.
    static func install(_ role: String) async throws -> DeployedSite {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-deploy-\(role)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let site = DeployedSite(root: root)
        let installed = try await ArborCommand.run(
            [role], executable: deployDirectory.appendingPathComponent("install.sh"),
            environment: ["DESTDIR": root.path, "ARBOR_BINARY": ServeProcess.executable.path, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]
        )
        guard installed.status == 0 else {
            site.remove()
            throw TestStoreError("install.sh \(role) failed: \(installed)")
        }
        return site
    }

    /// `absolute` (a path of the deployment) inside the root; other text unchanged.
    func path(_ absolute: String) -> String {
        for prefix in Self.deploymentPaths where absolute == prefix || absolute.hasPrefix(prefix + "/") {
            return root.path + absolute
        }
        return absolute
    }

    /// Rewrites `site.json`: its paths moved into the root, then `changes` applied (NSNull removes a key).
    func configure(_ changes: [String: Any]) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configFile)) as? [String: Any])
        for (key, value) in object {
            if let text = value as? String { object[key] = text.hasPrefix("sqlite:") ? "sqlite:" + path(String(text.dropFirst(7))) : path(text) }
        }
        for (key, value) in changes { object[key] = value is NSNull ? nil : value }
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: configFile)
    }

    /// Sets `name=value` in `site.env` (replacing its line), as the operator edits it.
    func setEnvironment(_ name: String, _ value: String) throws {
        let file = URL(fileURLWithPath: path("/etc/arbor/site.env"))
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.hasPrefix("\(name)=") }.map(String.init)
        try Data((kept + ["\(name)=\(value)"]).joined(separator: "\n").utf8).write(to: file)
    }

    /// The process environment a unit's commands get: its `EnvironmentFile=` (required) and a PATH.
    func environment(unit: String) throws -> [String: String] {
        let unitFile = try SystemdUnit(file: URL(fileURLWithPath: path("/etc/systemd/system/\(unit)")))
        let files = unitFile.values("EnvironmentFile")
        #expect(files.count == 1 && files.allSatisfy { !$0.hasPrefix("-") }, "\(unit) must name one required EnvironmentFile: \(files)")
        var environment = try SystemdUnit.environmentFile(URL(fileURLWithPath: path(try #require(files.first))))
        environment["PATH"] = "/usr/bin:/bin"
        return environment
    }

    /// The `key` command lines of the installed `unit`, for `instance`, with paths in the root.
    func commands(_ key: String, unit: String, instance: String? = nil) throws -> [[String]] {
        let unitFile = try SystemdUnit(file: URL(fileURLWithPath: path("/etc/systemd/system/\(unit)")))
        return try unitFile.commands(key, instance: instance, environment: try environment(unit: unit)).map { $0.map(path) }
    }

    /// Runs a command line to its end with the unit's environment.
    func run(_ command: [String], unit: String = "arbor.service") async throws -> ArborCommand.Run {
        try await ArborCommand.run(
            Array(command.dropFirst()), executable: URL(fileURLWithPath: command[0]), environment: try environment(unit: unit), terminateAfter: .seconds(60)
        )
    }

    /// An admin command (`arbor clients …`) with the installed binary, `--config` and the unit's environment.
    func arbor(_ arguments: [String]) async throws -> ArborCommand.Run {
        try await run([path("/usr/local/bin/arbor")] + arguments + ["--config", configFile.path])
    }

    /// Starts the unit's `ExecStartPre` lines (each must succeed) and then its `ExecStart`, as
    /// systemd does, and returns the running service process.
    @discardableResult
    func start(unit: String, instance: String? = nil) async throws -> UnitProcess {
        for command in try commands("ExecStartPre", unit: unit, instance: instance) {
            let ran = try await run(command, unit: unit)
            guard ran.status == 0 else { throw TestStoreError("\(unit) ExecStartPre \(command) failed: \(ran)") }
        }
        let start = try commands("ExecStart", unit: unit, instance: instance)
        #expect(start.count == 1)
        let process = try UnitProcess.launch(try #require(start.first), environment: try environment(unit: unit), in: root)
        processes.append(process)
        return process
    }

    /// An edge to `url` trusting `caFile`.
    static func edge(_ url: String, clientId: String?, secret: String? = nil, caFile: String, client: HTTPClient) throws -> Edge {
        let configuration = try EdgeConfiguration(
            servers: [url], clientId: clientId, clientSecret: secret, useRegistration: clientId != nil, schema: Fixtures.retailSchema,
            requestTimeout: .seconds(20), fetchWait: .seconds(2), retryBackoff: .zero, trustRootsFile: caFile
        )
        return Edge(configuration: configuration, httpClient: client)
    }

    /// Waits until `url` answers its status GET over HTTPS; false after `timeout`.
    static func waitUntilUp(_ url: String, caFile: String, client: HTTPClient, timeout: Duration = .seconds(60)) async throws -> Bool {
        let edge = try edge(url, clientId: nil, caFile: caFile, client: client)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await edge.status(server: .delta)) != nil { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Stops every process started (SIGTERM, as systemctl stop) and removes the root.
    func stopAndRemove() async {
        for process in processes.reversed() { await process.stop() }
        remove()
    }

    private func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A long-running unit command (`arbor serve`), its output in a file; `stop()` sends SIGTERM
/// (SIGKILL after 20 s, the units' TimeoutStopSec).
final class UnitProcess: @unchecked Sendable {
    let process: Process
    let logFile: URL

    private init(process: Process, logFile: URL) {
        self.process = process
        self.logFile = logFile
    }

    static func launch(_ command: [String], environment: [String: String], in directory: URL) throws -> UnitProcess {
        let logFile = directory.appendingPathComponent("unit-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return UnitProcess(process: process, logFile: logFile)
    }

    var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
