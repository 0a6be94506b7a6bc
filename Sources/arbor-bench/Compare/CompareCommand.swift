import ArborCore
import ArgumentParser
import Foundation
import Logging

/// `arbor-bench compare [--quick]`: Arbor against PostgreSQL's logical replication in one run.
/// Starts its own throwaway clusters and `arbor serve` processes, runs the same workloads on
/// both trees and prints one JSON object: per figure Arbor's value, the peer's beside it and
/// their ratio (Arbor / peer; `better` says which direction wins).
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor-bench compare",
        abstract: "Compare Arbor with PostgreSQL logical replication (center → branch with a row filter → leaf) on this machine."
    )

    @Flag(help: "Small workloads: finishes in a few minutes.") var quick = false
    @Option(help: "Writes per latency run (default 500, quick 150).") var writes: Int?
    @Option(help: "Writes per second in the open-loop latency runs.") var rate = 50.0
    @Option(help: "Rows written at the center by the bulk run (default 100000, quick 20000).") var bulkRows: Int?
    @Option(help: "Rows per append (one transaction) in the bulk run.") var batch = 1_000
    @Option(help: "Matching rows of the backlog a branch drains (default 50000, quick 10000); as many non-matching rows go with them.") var backlogRows: Int?
    @Option(help: "Long-polling edges at the center in the fan-out run (default 1000, quick 200; 0 skips it).") var fanOutEdges: Int?
    @Option(help: "Writes per second at the center during the fan-out run.") var fanOutRate = 50.0
    @Option(help: "Seconds of writes in the fan-out run (default 10, quick 4).") var fanOutSeconds: Double?
    @Option(help: "The arbor executable (default: the one next to arbor-bench).") var arbor: String?

    func run() async throws {
        let cleanup = BenchCleanup.shared
        cleanup.installSignalHandlers()
        defer { cleanup.runAll() }
        let logger = Logger(label: "arbor.bench.compare", factory: { _ in SwiftLogNoOpLogHandler() })
        let executable = try arbor ?? Self.siblingArbor()
        let sizes = Sizes(writes: writes ?? (quick ? 150 : 500), bulkRows: bulkRows ?? (quick ? 20_000 : 100_000),
                          batch: batch, backlogRows: backlogRows ?? (quick ? 10_000 : 50_000), rate: rate,
                          fanOutEdges: fanOutEdges ?? (quick ? 200 : 1_000), fanOutRate: fanOutRate, fanOutSeconds: fanOutSeconds ?? (quick ? 4 : 10))
        guard sizes.fanOutEdges >= 0, sizes.fanOutRate > 0, sizes.fanOutSeconds > 0 else {
            throw CompareError("--fan-out-edges must be 0 or more, --fan-out-rate and --fan-out-seconds more than 0")
        }
        let started = ContinuousClock.now
        progress("starting the peer's three PostgreSQL clusters")
        let peer = try await PeerTree(logger: logger)
        progress("starting Arbor's center cluster and three arbor serve processes")
        let tree = try await ArborTree(arbor: executable, centerConnections: sizes.fanOutEdges + 200, logger: logger)
        var report = CompareReport(sizes: sizes)
        do {
            try await CompareWorkloads(peer: peer, tree: tree, sizes: sizes, logger: logger).run(into: &report)
        } catch {
            await tree.stop()
            await peer.stop()
            throw error
        }
        await tree.stop()
        await peer.stop()
        report.seconds = SiteLatencyBenchmark.seconds(ContinuousClock.now - started)
        print(try report.json())
    }

    private static func siblingArbor() throws -> String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = (Bundle.main.executableURL?.deletingLastPathComponent() ?? directory).appendingPathComponent("arbor").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw CompareError("no arbor executable at \(candidate): build it (swift build -c release --product arbor) or pass --arbor PATH")
        }
        return candidate
    }
}

/// The workload sizes of one run.
struct Sizes: Sendable {
    var writes: Int
    var bulkRows: Int
    var batch: Int
    var backlogRows: Int
    var rate: Double
    var fanOutEdges: Int
    var fanOutRate: Double
    var fanOutSeconds: Double
}

/// Progress lines go to standard error; standard output holds only the JSON report.
func progress(_ line: String) {
    FileHandle.standardError.write(Data("compare: \(line)\n".utf8))
}
