import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import Foundation
import Logging
import ServiceLifecycle

/// `arbor-bench tree-latency [--writes 200]`: center → branch → leaf, three sites in one
/// process on loopback (SQLite each), linked by real father links over HTTP. An app writes at
/// the center; registered followers at the center, the branch and the leaf measure when each
/// write reaches them. Reports p50/p99 for 0, 1 and 2 hops and their ratios to 0 hops.
struct TreeLatencyBenchmark {
    let writes: Int
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tree-bench-\(UUID().uuidString)")

    init(_ arguments: ArraySlice<String>) throws {
        writes = try Options.writes(arguments, default: 200, benchmark: "tree-latency")
    }

    func run() async throws -> String {
        let logger = Logger(label: "arbor.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let center = try await start("center", sons: ["branch"], clients: ["follower", "app"], father: nil, logger: logger)
        let branch = try await start("branch", sons: ["leaf"], clients: ["follower"], father: (center.url, "bench"), logger: logger)
        let leaf = try await start("leaf", sons: [], clients: ["follower"], father: (branch.url, "bench"), logger: logger)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let schema = DistributionSchema.exampleRetail
        let app = try Edge(configuration: EdgeConfiguration(servers: [center.url], clientId: "app", schema: schema))
        let atCenter = try follower(center.url, schema)
        let atBranch = try follower(branch.url, schema)
        let atLeaf = try follower(leaf.url, schema)
        _ = try await atCenter.fullLoad(slice: "bench")
        _ = try await atBranch.fullLoad(slice: "bench")
        _ = try await atLeaf.fullLoad(slice: "bench")
        let clock = ContinuousClock()
        var direct: [Duration] = [], oneHop: [Duration] = [], twoHops: [Duration] = []
        for number in 0..<writes {
            let id = UUID()
            let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: ",bench,"),
                                    fields: ["name": .text("t\(number)"), "vip": .bool(false)])
            let started = clock.now
            async let centerSeen = Self.wait(for: id, on: atCenter, clock: clock)
            async let branchSeen = Self.wait(for: id, on: atBranch, clock: clock)
            async let leafSeen = Self.wait(for: id, on: atLeaf, clock: clock)
            _ = try await app.append([write])
            direct.append(try await centerSeen - started)
            oneHop.append(try await branchSeen - started)
            twoHops.append(try await leafSeen - started)
        }
        for site in [leaf, branch, center] { await site.stop() }
        direct.sort()
        oneHop.sort()
        twoHops.sort()
        let p = SiteLatencyBenchmark.percentile, ms = SiteLatencyBenchmark.milliseconds
        let report: [String: Any] = [
            "benchmark": "tree-latency", "writes": writes,
            "centerMillisecondsP50": ms(p(direct, 0.5)), "centerMillisecondsP99": ms(p(direct, 0.99)),
            "branchOneHopMillisecondsP50": ms(p(oneHop, 0.5)), "branchOneHopMillisecondsP99": ms(p(oneHop, 0.99)),
            "branchOneHopMillisecondsMax": ms(oneHop.last ?? .zero),
            "leafTwoHopsMillisecondsP50": ms(p(twoHops, 0.5)), "leafTwoHopsMillisecondsP99": ms(p(twoHops, 0.99)),
            "oneHopOverCenterRatioP50": ms(p(oneHop, 0.5)) / max(0.001, ms(p(direct, 0.5))),
            "twoHopsOverCenterRatioP50": ms(p(twoHops, 0.5)) / max(0.001, ms(p(direct, 0.5))),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
    }

    private func follower(_ url: String, _ schema: DistributionSchema) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [url], clientId: "follower", useRegistration: true, schema: schema, fetchWait: .seconds(10)))
    }

    /// The instant the entity `id` reaches `edge`.
    private static func wait(for id: UUID, on edge: Edge, clock: ContinuousClock) async throws -> ContinuousClock.Instant {
        while true {
            let buffers = try await edge.fetchDeltas()
            if buffers.contains(where: { $0.deltas.contains { $0.techId == id } }) { return clock.now }
        }
    }

    private func start(_ name: String, sons: [String], clients: [String], father: (url: String, slice: String)?, logger: Logger) async throws -> EmbeddedSite {
        let path = scratch.appendingPathComponent("\(name).sqlite").path
        return try await EmbeddedSite.start(
            name: name, location: .sqlite(path: path), schema: .exampleRetail, sons: sons, clients: clients, father: father, logger: logger)
    }
}
