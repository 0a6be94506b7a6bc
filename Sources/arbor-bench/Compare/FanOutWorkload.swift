import ArborCore
import ArborEdge
import AsyncHTTPClient
import Foundation
import Synchronization

/// Fan-out: `edges` unregistered edges long-poll the center (slice `fan`), each on its own
/// connection, while the center takes one-entity creates of topic `fan` at `rate` per second for
/// `seconds`. Measures write → delivered at every edge, and the center's CPU meanwhile.
struct FanOutWorkload {
    let tree: ArborTree
    let edges: Int
    let rate: Double
    let seconds: Double

    struct Figures {
        var delivery: [Duration]
        var expected: Int
        /// Entities an edge received again after receiving them once (expected 0).
        var duplicates: Int
        /// The center's CPU seconds (user + system) per second of the write phase.
        var centerCoreFraction: Double
        /// CPU seconds of the center and of its PostgreSQL (every backend) in the write phase.
        var centerCPUSeconds: Double
        var centerPostgresCPUSeconds: Double
        /// The same for the benchmark process (all edges and the writer).
        var benchCoreFraction: Double
    }

    /// The first arrival of each entity at each edge (a second one is counted as a duplicate),
    /// recorded by the edges' fetch loops.
    private final class Deliveries: Sendable {
        struct Pair: Hashable { let edge: Int, id: UUID }
        struct State {
            var first: [Pair: ContinuousClock.Instant] = [:]
            var perEntity: [UUID: Int] = [:]
            var duplicates = 0
        }
        let state = Mutex(State())
        func record(_ edge: Int, _ ids: [UUID], at instant: ContinuousClock.Instant) {
            state.withLock { state in
                for id in ids {
                    let pair = Pair(edge: edge, id: id)
                    if state.first[pair] == nil {
                        state.first[pair] = instant
                        state.perEntity[id, default: 0] += 1
                    } else {
                        state.duplicates += 1
                    }
                }
            }
        }
        func count(of ids: Set<UUID>) -> Int { state.withLock { state in ids.reduce(0) { $0 + (state.perEntity[$1] ?? 0) } } }
    }

    func run() async throws -> Figures {
        try Self.raiseDescriptorLimit(toFit: edges + 256)
        var configuration = Edge.failoverClientConfiguration(connectTimeout: .seconds(30))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = edges + 16
        configuration.connectionPool.idleTimeout = .seconds(120)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let figures = try await run(on: client)
            try await client.shutdown()
            return figures
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func run(on client: HTTPClient) async throws -> Figures {
        let fanEdges = try await loadedEdges(on: client)
        let deliveries = Deliveries()
        let pollers = fanEdges.enumerated().map { number, edge in
            Task {
                while !Task.isCancelled {
                    do {
                        let buffers = try await edge.fetchDeltas()
                        deliveries.record(number, buffers.flatMap { $0.deltas.map(\.techId) }, at: .now)
                    } catch {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
        }
        defer { for poller in pollers { poller.cancel() } }

        // Every edge is polling once a warm-up write has reached all of them.
        let warmUp = UUID()
        try await tree.append([warmUp], topic: "fan")
        try await waitUntil(deliveries, holds: [warmUp], count: edges, within: .seconds(120), what: "the warm-up write")

        progress("fan-out: every edge polls; writing")
        let clock = ContinuousClock()
        let writes = max(1, Int(rate * seconds))
        let interval = Duration.seconds(1 / rate)
        let ids = (0..<writes).map { _ in UUID() }
        let centerBefore = ProcessCPU.seconds(of: tree.center.processIdentifier)
        let postgresBefore = tree.cluster.postmasterPid.map(ProcessCPU.treeSeconds(of:)) ?? 0
        let benchBefore = ProcessCPU.seconds(of: getpid())
        let begin = clock.now
        let tree = tree
        let starts = try await withThrowingTaskGroup(of: (UUID, ContinuousClock.Instant).self) { group in
            for (number, id) in ids.enumerated() {
                group.addTask {
                    try await Task.sleep(until: begin + interval * number, clock: clock)
                    let started = clock.now
                    try await tree.append([id], topic: "fan")
                    return (id, started)
                }
            }
            return try await group.reduce(into: [UUID: ContinuousClock.Instant]()) { $0[$1.0] = $1.1 }
        }
        try await waitUntil(deliveries, holds: Set(ids), count: edges * writes, within: .seconds(120), what: "\(writes) writes")
        let wall = SiteLatencyBenchmark.seconds(clock.now - begin)
        let centerCPU = ProcessCPU.seconds(of: tree.center.processIdentifier) - centerBefore
        let postgresCPU = (tree.cluster.postmasterPid.map(ProcessCPU.treeSeconds(of:)) ?? 0) - postgresBefore
        let benchCPU = ProcessCPU.seconds(of: getpid()) - benchBefore
        let (delivery, duplicates) = deliveries.state.withLock { state in
            (state.first.compactMap { pair, at in starts[pair.id].map { at - $0 } }, state.duplicates)
        }
        return Figures(delivery: delivery, expected: edges * writes, duplicates: duplicates,
                       centerCoreFraction: centerCPU / wall, centerCPUSeconds: centerCPU, centerPostgresCPUSeconds: postgresCPU,
                       benchCoreFraction: benchCPU / wall)
    }

    /// `edges` unregistered edges at the center, each with an empty FullLoad of slice `fan` behind it.
    private func loadedEdges(on client: HTTPClient) async throws -> [Edge] {
        let center = tree.center.baseURL, schema = tree.schema
        var loaded: [Edge] = []
        for start in stride(from: 0, to: edges, by: 100) {
            let batch = try await withThrowingTaskGroup(of: Edge.self) { group in
                for _ in start..<min(start + 100, edges) {
                    group.addTask {
                        let edge = try Edge(configuration: EdgeConfiguration(
                            servers: [center], clientId: "app", schema: schema,
                            requestTimeout: .seconds(60), fetchWait: .seconds(20), retryBackoff: .milliseconds(50)
                        ), httpClient: client)
                        _ = try await edge.fullLoad(slice: "fan")
                        return edge
                    }
                }
                return try await group.reduce(into: [Edge]()) { $0.append($1) }
            }
            loaded += batch
        }
        return loaded
    }

    private func waitUntil(_ deliveries: Deliveries, holds ids: Set<UUID>, count: Int, within timeout: Duration, what: String) async throws {
        let deadline = ContinuousClock.now + timeout
        while deliveries.count(of: ids) < count {
            guard ContinuousClock.now < deadline else {
                throw CompareError("fan-out: \(what) reached \(deliveries.count(of: ids)) of \(count) edge deliveries within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension FanOutWorkload {
    /// Raises this process's soft `RLIMIT_NOFILE` to its hard limit: every edge holds a connection.
    static func raiseDescriptorLimit(toFit needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        guard limit.rlim_cur >= needed else {
            throw CompareError("fan-out needs \(needed) file descriptors but this process may open \(limit.rlim_cur): raise ulimit -n or lower --fan-out-edges")
        }
    }
}

/// CPU seconds (user + system) of processes, from `/proc/PID/stat`; 0 when unknown.
enum ProcessCPU {
    static func seconds(of pid: Int32) -> Double {
        guard let fields = statFields(pid), fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticksPerSecond
    }

    /// A process and its children: the live ones, and those it has waited for (`cutime`,
    /// `cstime`) — for PostgreSQL's postmaster, every backend, also those that ended.
    static func treeSeconds(of root: Int32) -> Double {
        guard let fields = statFields(root), fields.count > 14, let waitedUser = Double(fields[13]), let waitedSystem = Double(fields[14]) else { return 0 }
        var total = seconds(of: root) + (waitedUser + waitedSystem) / ticksPerSecond
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != root, let child = statFields(pid), child.count > 1, Int32(child[1]) == root else { continue }
            total += seconds(of: pid)
        }
        return total
    }

    /// The fields after the command name, starting at field 3 (state): utime is [11], stime [12],
    /// cutime [13], cstime [14], the parent's pid [1].
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = text.range(of: ") ", options: .backwards)
        else { return nil }
        return text[afterName.upperBound...].split(separator: " ")
    }

    private static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }
}
