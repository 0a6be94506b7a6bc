import ArborStore
import ArborTesting
import Foundation

/// Runs the real `arbor` executable and collects its exit status and output.
struct ArborCommand {
    struct Run: CustomStringConvertible {
        var status: Int32
        var output: String
        var errors: String

        var description: String { "status \(status)\nstdout: \(output)\nstderr: \(errors)" }
    }

    /// The `--db` and `--prefix` arguments that name a test store.
    static func storeArguments(_ place: TestStores.Place, prefix: TablePrefix) -> [String] {
        ["--db", place.databaseURL, "--prefix", prefix.value]
    }

    /// Runs `arbor` (or `executable`) with `arguments`, waiting for its exit without blocking a thread. With
    /// `environment` the process gets exactly those variables; otherwise the test's. With
    /// `terminateAfter` a process still running then is sent SIGTERM (a command expected to
    /// exit at once, such as a refused `serve`, must not hang the test when it does not).
    static func run(
        _ arguments: [String], executable: URL = ServeProcess.executable, environment: [String: String]? = nil, terminateAfter: Duration? = nil
    ) async throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let watchdog = terminateAfter.map { limit in
            Task {
                try await Task.sleep(for: limit)
                if process.isRunning { process.terminate() }
            }
        }
        defer { watchdog?.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Run(status: status, output: try String(contentsOf: out, encoding: .utf8), errors: try String(contentsOf: err, encoding: .utf8))
    }

    /// Runs `arbor clients <arguments> --db … --prefix …` against a test store.
    static func clients(_ arguments: [String], at place: TestStores.Place, prefix: TablePrefix) async throws -> Run {
        try await run(["clients"] + arguments + storeArguments(place, prefix: prefix))
    }
}
