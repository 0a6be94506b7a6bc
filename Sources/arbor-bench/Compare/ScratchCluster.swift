import Foundation
import Logging
import PostgresNIO

/// A throwaway PostgreSQL cluster on a loopback port, found and started as `.ci/run` does
/// (`/usr/lib/postgresql/*/bin`, the newest; as the `postgres` user when run as root), with
/// `wal_level=logical` and PostgreSQL's durable defaults (fsync, synchronous_commit on).
/// Its data directory is removed when it stops.
final class ScratchCluster: @unchecked Sendable {
    let name: String
    let port: Int
    let root: URL
    let binaries: String
    private var cleanupId = 0

    var data: String { root.appendingPathComponent("data").path }
    /// Trust authentication on loopback only: the cluster lives as long as the benchmark.
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }
    /// The postmaster's pid (the first line of `postmaster.pid`), nil when it is not running.
    var postmasterPid: Int32? {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0) }
    }
    var conninfo: String { "host=127.0.0.1 port=\(port) user=postgres dbname=postgres" }

    private init(name: String, port: Int, root: URL, binaries: String) {
        self.name = name
        self.port = port
        self.root = root
        self.binaries = binaries
    }

    /// The directory of `initdb`, `pg_ctl` and `postgres`.
    static func serverBinaries() throws -> String {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(base)/\($0)/bin/initdb") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        if let newest = versions.last { return "\(base)/\(newest)/bin" }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        where FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") {
            return directory
        }
        throw CompareError("no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or PATH: install the postgresql package (see README)")
    }

    /// initdb, then start; registered with ``BenchCleanup`` before the server starts.
    static func start(_ name: String, settings: [String: String] = [:]) throws -> ScratchCluster {
        let binaries = try serverBinaries()
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("arbor-compare-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let cluster = ScratchCluster(name: name, port: try freeLoopbackPort(), root: root, binaries: binaries)
        cluster.cleanupId = BenchCleanup.shared.add("cluster \(name)") { cluster.stopNow() }
        if getuid() == 0 { try runProgram("/bin/chown", ["postgres:", root.path]) }
        try cluster.server("initdb", ["-D", cluster.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        var options = [
            "listen_addresses": "127.0.0.1", "wal_level": "logical", "max_connections": "200", "shared_buffers": "128MB",
            "max_wal_senders": "20", "max_replication_slots": "20", "max_logical_replication_workers": "8",
        ]
        options.merge(settings) { $1 }
        let flags = "-p \(cluster.port) -k \(root.path) " + options.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        try cluster.server("pg_ctl", ["-D", cluster.data, "-l", root.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o", flags, "start"])
        return cluster
    }

    /// Stops the server (fast shutdown) and removes its files.
    func stop() { BenchCleanup.shared.run(cleanupId) }

    private func stopNow() {
        _ = try? server("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "20", "stop"])
        _ = try? server("pg_ctl", ["-D", data, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: root)
    }

    private func server(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try runProgram("/usr/sbin/runuser", ["-u", "postgres", "--", "\(binaries)/\(program)"] + arguments)
        } else {
            try runProgram("\(binaries)/\(program)", arguments)
        }
    }

    /// One direct connection (closed by the caller).
    func connect(logger: Logger) async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: Int.random(in: 1...1_000_000), logger: logger)
    }

    /// Runs `sql` (several statements allowed) through psql and returns what it printed.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        try runProgram("\(binaries)/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", sql])
    }
}
