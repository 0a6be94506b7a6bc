import ArborTesting
import Foundation

/// A real `arbor serve` process on a loopback port, stopped (SIGTERM, then SIGKILL) by `stop()`.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let logFile: URL
    /// `https` when the process serves TLS.
    let scheme: String

    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// The `arbor` executable built next to the test bundle.
    static var executable: URL {
        let directories = [
            Bundle.main.executableURL?.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].compactMap { $0 }
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("arbor").path) {
            return directory.appendingPathComponent("arbor")
        }
        return directories[0].appendingPathComponent("arbor")
    }

    private init(process: Process, port: Int, logFile: URL, scheme: String) {
        self.process = process
        self.port = port
        self.logFile = logFile
        self.scheme = scheme
    }

    /// Starts `arbor serve` with `arguments` (plus a port file) and waits until it listens.
    /// Plain HTTP (`--plain-http`) unless `tls` is true: then `arguments` must name the
    /// certificate and key (TLS tests). `port` 0 (the default) lets the system choose; a fixed
    /// port lets a restarted process keep its address.
    /// `environment`, when given, is the process's whole environment. With `descriptorLimit`,
    /// the process runs under `ulimit -n` of that many file descriptors.
    static func start(
        _ arguments: [String], tls: Bool = false, port: Int = 0, timeout: Duration = .seconds(30),
        environment: [String: String]? = nil, descriptorLimit: Int? = nil
    ) async throws -> ServeProcess {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let portFile = scratch.appendingPathComponent("port"), logFile = scratch.appendingPathComponent("log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        if let environment { process.environment = environment }
        let serveArguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--port-file", portFile.path] + (tls ? [] : ["--plain-http"]) + arguments
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", executable.path] + serveArguments
        } else {
            process.executableURL = executable
            process.arguments = serveArguments
        }
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text), port > 0 {
                return ServeProcess(process: process, port: port, logFile: logFile, scheme: tls ? "https" : "http")
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw TestStoreError("arbor serve did not start listening: \(output.suffix(2_000))")
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after `grace`); returns how long it took.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Duration {
        let started = ContinuousClock.now
        guard process.isRunning else { return .zero }
        process.terminate()
        while process.isRunning && ContinuousClock.now - started < grace {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return ContinuousClock.now - started
    }

    /// What the process printed.
    var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
}
