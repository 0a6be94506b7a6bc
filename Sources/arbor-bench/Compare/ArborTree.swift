import ArborCore
import ArborEdge
import Foundation
import Logging

/// Arbor's side: the center on its own throwaway PostgreSQL cluster, the branch (father slice
/// `bench`, the peer's row filter) and the leaf on SQLite, each a real `arbor serve` process
/// linked over loopback HTTP. A registered follower edge at the branch and at the leaf records
/// when each entity reaches it.
final class ArborTree: @unchecked Sendable {
    let cluster: ScratchCluster
    let center: ArborProcess, branch: ArborProcess, leaf: ArborProcess
    let atBranch = ArrivalLog(), atLeaf = ArrivalLog()
    private(set) var app: Edge
    private var followers: [Task<Void, Never>] = []
    let schema = DistributionSchema.exampleRetail
    let scratch: URL

    /// `centerConnections`: the center's `maximumConnections` (room for the fan-out run's edges).
    init(arbor executable: String, centerConnections: Int, logger: Logger) async throws {
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("arbor-compare-sites-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let directory = scratch
        BenchCleanup.shared.add("scratch \(directory.path)") { try? FileManager.default.removeItem(at: directory) }
        cluster = try ScratchCluster.start("arbor-center")
        center = try ArborProcess(name: "center", executable: executable, directory: scratch,
                                  settings: ["database": cluster.url, "site": "center", "tablePrefix": "arbor_", "maximumConnections": max(900, centerConnections)],
                                  sons: ["branch"], clients: ["app", "follower"])
        try await center.start()
        branch = try ArborProcess(name: "branch", executable: executable, directory: scratch, settings: [
            "database": "sqlite:\(scratch.appendingPathComponent("branch.sqlite").path)", "site": "branch", "tablePrefix": "arbor_",
            "fatherServers": [center.baseURL], "fatherClientId": "branch", "fatherSlice": "bench",
        ], sons: ["leaf"], clients: ["follower"])
        try await branch.start()
        leaf = try ArborProcess(name: "leaf", executable: executable, directory: scratch, settings: [
            "database": "sqlite:\(scratch.appendingPathComponent("leaf.sqlite").path)", "site": "leaf", "tablePrefix": "arbor_",
            "fatherServers": [branch.baseURL], "fatherClientId": "leaf", "fatherSlice": "bench",
        ], sons: [], clients: ["follower"])
        try await leaf.start()
        app = try Edge(configuration: EdgeConfiguration(servers: [center.baseURL], clientId: "app", schema: schema, requestTimeout: .seconds(120)))
        for (site, log) in [(branch, atBranch), (leaf, atLeaf)] { try await follow(site, log) }
    }

    /// A registered follower of slice `bench` at `site`, loaded before this returns; it keeps
    /// fetching (and retrying while the site is down) until `stop()`.
    private func follow(_ site: ArborProcess, _ log: ArrivalLog) async throws {
        let edge = try Edge(configuration: EdgeConfiguration(
            servers: [site.baseURL], clientId: "follower", useRegistration: true, schema: schema,
            requestTimeout: .seconds(30), fetchWait: .seconds(10), retryBackoff: .milliseconds(20)
        ))
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                _ = try await edge.fullLoad(slice: "bench")
                break
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        followers.append(Task {
            while !Task.isCancelled {
                do {
                    let buffers = try await edge.fetchDeltas()
                    await log.record(buffers.flatMap { $0.deltas.map(\.techId) }, at: .now)
                } catch {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
        })
    }

    /// Appends creates of `ids` (Customers of topic `topic`) at the center in one transaction.
    func append(_ ids: [UUID], topic: String) async throws {
        let topics = try TopicsList(parsing: ",\(topic),")
        let writes = ids.enumerated().map { number, id in
            EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: topics,
                        fields: ["name": .text("c\(number)"), "vip": .bool(false)])
        }
        _ = try await app.append(writes)
    }

    /// Entities per second of a FullLoad of slice `topic` at the center, and how many it returned.
    func fullLoad(topic: String, format: EdgeConfiguration.Format) async throws -> (perSecond: Double, entities: Int) {
        let loader = try Edge(configuration: EdgeConfiguration(
            servers: [center.baseURL], clientId: "follower", useRegistration: true, schema: schema, format: format, requestTimeout: .seconds(300)
        ))
        let started = ContinuousClock.now
        let load = try await loader.fullLoad(slice: topic)
        return (Double(load.deltas.count) / SiteLatencyBenchmark.seconds(ContinuousClock.now - started), load.deltas.count)
    }

    /// Restarts the center and returns the seconds until it listens again.
    func restartCenter() async throws -> Double {
        center.stop()
        let started = ContinuousClock.now
        try await center.start()
        return SiteLatencyBenchmark.seconds(ContinuousClock.now - started)
    }

    func stop() async {
        for follower in followers { follower.cancel() }
        leaf.stop()
        branch.stop()
        center.stop()
        cluster.stop()
    }
}
