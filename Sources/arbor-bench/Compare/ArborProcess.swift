import Foundation

/// One site of Arbor's tree as a real `arbor serve` process on loopback (plain HTTP), with its
/// configuration file; restartable on the same port. Stopped (SIGTERM, then SIGKILL) by `stop()`
/// and by ``BenchCleanup``.
final class ArborProcess: @unchecked Sendable {
    let name: String
    let executable: String
    let configFile: URL
    let logFile: URL
    private(set) var port = 0
    private var process: Process?
    private var cleanupId = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var processIdentifier: Int32 { process?.processIdentifier ?? 0 }

    /// Writes the configuration, runs `arbor init` and adds `sons` (son role) and `clients`.
    init(name: String, executable: String, directory: URL, settings: [String: Any], sons: [String], clients: [String]) throws {
        self.name = name
        self.executable = executable
        configFile = directory.appendingPathComponent("\(name).json")
        logFile = directory.appendingPathComponent("\(name).log")
        try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]).write(to: configFile)
        try runProgram(executable, ["init", "--config", configFile.path])
        for son in sons { try runProgram(executable, ["clients", "add", son, "--role", "son", "--config", configFile.path]) }
        for client in clients { try runProgram(executable, ["clients", "add", client, "--config", configFile.path]) }
    }

    /// Starts `arbor serve` (on the port of the previous start, if any) and waits until it listens.
    func start(timeout: Duration = .seconds(120)) async throws {
        let portFile = configFile.deletingPathExtension().appendingPathExtension("port")
        try? FileManager.default.removeItem(at: portFile)
        if !FileManager.default.fileExists(atPath: logFile.path) { FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", configFile.path, "--host", "127.0.0.1", "--port", String(port), "--port-file", portFile.path,
                             "--plain-http", "--log-level", "warning"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        cleanupId = BenchCleanup.shared.add("arbor serve \(name)") { [self] in stopNow() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), bound > 0 {
                port = bound
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        stop()
        throw CompareError("arbor serve \(name) did not start listening: \(((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").suffix(2_000))")
    }

    func stop() { BenchCleanup.shared.run(cleanupId) }

    private func stopNow() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The resident set of the running process in bytes (VmRSS), 0 when unknown.
    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1_024
    }
}
