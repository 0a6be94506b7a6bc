import ArborCore
import Foundation
import Logging
import PostgresNIO

/// The workloads of `compare`, each run on the peer and on Arbor in the same run.
struct CompareWorkloads {
    let peer: PeerTree
    let tree: ArborTree
    let sizes: Sizes
    let logger: Logger

    /// Write → visible samples of one latency run.
    struct Samples {
        var acknowledged: [Duration] = []
        var branch: [Duration] = []
        var leaf: [Duration] = []
    }

    func run(into report: inout CompareReport) async throws {
        let emptyCenterBytes = tree.center.residentBytes()
        try await latency(into: &report)
        try await bulk(into: &report, emptyCenterBytes: emptyCenterBytes)
        try await drain(into: &report)
        try await storeWrite(into: &report)
        try await fanOut(into: &report)
    }

    // MARK: fan-out

    private func fanOut(into report: inout CompareReport) async throws {
        guard sizes.fanOutEdges > 0 else {
            report.note("fanOut", "skipped (--fan-out-edges 0)")
            return
        }
        progress("fan-out: \(sizes.fanOutEdges) long-polling edges at the center, \(sizes.fanOutRate) writes/s for \(sizes.fanOutSeconds) s")
        let figures = try await FanOutWorkload(tree: tree, edges: sizes.fanOutEdges, rate: sizes.fanOutRate, seconds: sizes.fanOutSeconds).run()
        let delivery = LatencyFigures.milliseconds(figures.delivery)
        for percentile in ["p50", "p99"] {
            report.add("fanOut.delivery.\(percentile)", unit: "ms", better: .lower, arbor: delivery[percentile] ?? 0, peer: nil)
        }
        report.add("fanOut.delivery.max", unit: "ms", better: .lower, arbor: SiteLatencyBenchmark.milliseconds(figures.delivery.max() ?? .zero), peer: nil)
        report.add("fanOut.deliveries", unit: "deliveries", better: .higher, arbor: Double(figures.delivery.count), peer: Double(figures.expected))
        report.add("fanOut.duplicateDeliveries", unit: "deliveries", better: .lower, arbor: Double(figures.duplicates), peer: nil)
        report.add("fanOut.centerCores", unit: "cores", better: .lower, arbor: figures.centerCoreFraction, peer: nil)
        let delivered = Double(max(1, figures.delivery.count))
        report.add("fanOut.centerCPUMicrosecondsPerDelivery", unit: "µs", better: .lower, arbor: figures.centerCPUSeconds / delivered * 1e6, peer: nil)
        report.add("fanOut.centerPostgresCPUMicrosecondsPerDelivery", unit: "µs", better: .lower, arbor: figures.centerPostgresCPUSeconds / delivered * 1e6, peer: nil)
        report.add("fanOut.benchCores", unit: "cores", better: .lower, arbor: figures.benchCoreFraction, peer: nil)
        report.note("fanOut", "\(sizes.fanOutEdges) unregistered edges long-poll the center (slice fan), each on its own connection of one HTTP client in the bench process, while the center takes \(sizes.fanOutRate) one-entity creates/s of topic fan for \(sizes.fanOutSeconds) s (open loop); delivery: from the start of the write call until the entity reaches each edge (every edge × write pair). centerCores / benchCores: CPU seconds of the center / the bench process (all edges and the writer) per second of the run; centerCPUMicrosecondsPerDelivery and centerPostgresCPUMicrosecondsPerDelivery: CPU of the center's arbor process and of its PostgreSQL (every backend) per edge × write delivered, which the machine's load does not inflate as it does times. No peer: PostgreSQL has no counterpart of a long-polling edge; deliveries' peer column is the number expected.")
    }

    // MARK: latency

    private func latency(into report: inout CompareReport) async throws {
        let peer = peer, tree = tree
        let peerWrite: @Sendable (UUID) async throws -> Void = { try await peer.insert([$0], topic: "bench") }
        let arborWrite: @Sendable (UUID) async throws -> Void = { try await tree.append([$0], topic: "bench") }
        var runs: [String: [String: Samples]] = [:]
        for loop in ["closed", "open"] {
            let rate = loop == "open" ? sizes.rate : nil
            try peer.setSynchronousCommit(false)
            progress("latency, \(loop) loop: peer (subscription synchronous_commit off, the default)")
            runs[loop, default: [:]]["peer"] = try await measure(openRate: rate, write: peerWrite, branch: peer.atBranch, leaf: peer.atLeaf)
            try peer.setSynchronousCommit(true)
            progress("latency, \(loop) loop: peer (synchronous_commit on)")
            runs[loop, default: [:]]["peerSync"] = try await measure(openRate: rate, write: peerWrite, branch: peer.atBranch, leaf: peer.atLeaf)
            progress("latency, \(loop) loop: Arbor")
            runs[loop, default: [:]]["arbor"] = try await measure(openRate: rate, write: arborWrite, branch: tree.atBranch, leaf: tree.atLeaf)
        }
        for (loop, samples) in runs {
            guard let arbor = samples["arbor"], let peerDefault = samples["peer"], let peerSync = samples["peerSync"] else { continue }
            for (hop, path) in [("centerAcknowledged", \Samples.acknowledged), ("branchVisible", \Samples.branch), ("leafVisible", \Samples.leaf)] {
                let a = LatencyFigures.milliseconds(arbor[keyPath: path]), p = LatencyFigures.milliseconds(peerDefault[keyPath: path])
                let s = LatencyFigures.milliseconds(peerSync[keyPath: path])
                for percentile in ["p50", "p99"] {
                    report.add("latency.\(loop)Loop.\(hop).\(percentile)", unit: "ms", better: .lower, arbor: a[percentile] ?? 0,
                               peer: p[percentile], peers: ["synchronousCommitOn": s[percentile] ?? 0])
                }
            }
        }
        report.note("latency", "write → visible: from the start of the write call at the center until the row's id reaches a registered follower edge (Arbor) or a LISTEN connection NOTIFYed by a trigger on the applied row (peer); centerAcknowledged: the append answered (Arbor) or the INSERT committed (peer). Closed loop: one write at a time, the next after the leaf saw it; open loop: \(sizes.rate) writes/s regardless of answers.")
    }

    /// One latency run of `sizes.writes` writes (after 5 unmeasured warm-up writes).
    private func measure(openRate: Double?, write: @escaping @Sendable (UUID) async throws -> Void, branch: ArrivalLog, leaf: ArrivalLog) async throws -> Samples {
        let clock = ContinuousClock()
        @Sendable func one(_ id: UUID) async throws -> (Duration, Duration, Duration) {
            let started = clock.now
            try await write(id)
            let acknowledged = clock.now - started
            let atBranch = try await branch.wait(for: id, timeout: .seconds(60), place: "the branch")
            let atLeaf = try await leaf.wait(for: id, timeout: .seconds(60), place: "the leaf")
            return (acknowledged, atBranch - started, atLeaf - started)
        }
        for _ in 0..<5 { _ = try await one(UUID()) }
        var samples = Samples()
        if let openRate {
            let interval = Duration.seconds(1 / openRate)
            let begin = clock.now
            let count = sizes.writes
            try await withThrowingTaskGroup(of: (Duration, Duration, Duration).self) { group in
                for number in 0..<count {
                    group.addTask {
                        try await Task.sleep(until: begin + interval * number, clock: clock)
                        return try await one(UUID())
                    }
                }
                for try await (acknowledged, atBranch, atLeaf) in group {
                    samples.acknowledged.append(acknowledged)
                    samples.branch.append(atBranch)
                    samples.leaf.append(atLeaf)
                }
            }
        } else {
            for _ in 0..<sizes.writes {
                let (acknowledged, atBranch, atLeaf) = try await one(UUID())
                samples.acknowledged.append(acknowledged)
                samples.branch.append(atBranch)
                samples.leaf.append(atLeaf)
            }
        }
        return samples
    }

    // MARK: bulk writes, FullLoad, memory, restart

    private func bulk(into report: inout CompareReport, emptyCenterBytes: Int) async throws {
        let batches = stride(from: 0, to: sizes.bulkRows, by: sizes.batch).map { start in
            (start..<min(start + sizes.batch, sizes.bulkRows)).map { _ in UUID() }
        }
        progress("bulk: \(sizes.bulkRows) rows in appends of \(sizes.batch) at Arbor's center")
        let arborRate = try await rowsPerSecond(batches) { try await tree.append($0, topic: "bulk") }
        progress("bulk: plain multi-row INSERT into Arbor's PostgreSQL")
        try tree.cluster.psql(PeerTree.table.replacingOccurrences(of: "customer", with: "plain_customer"))
        var configuration = PostgresClient.Configuration(host: "127.0.0.1", port: tree.cluster.port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        configuration.options.maximumConnections = 2
        let plain = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let plainTask = Task { await plain.run() }
        defer { plainTask.cancel() }
        let plainBatches = batches.map { $0.map { _ in UUID() } }
        let plainRate = try await rowsPerSecond(plainBatches) { try await PeerTree.insert($0, topic: "bulk", table: "plain_customer", on: plain, logger: logger) }
        progress("bulk: the peer's center")
        let peerRate = try await rowsPerSecond(batches) { try await peer.insert($0, topic: "bulk") }
        report.add("bulkWrite.rowsPerSecond", unit: "rows/s", better: .higher, arbor: arborRate, peer: peerRate, peers: ["plainInsertSamePostgres": plainRate])
        report.note("bulkWrite", "\(sizes.bulkRows) Customer creates in transactions of \(sizes.batch), one writer: Arbor through HTTP append at the center (PostgreSQL); peer: multi-row INSERT at the peer's center (published); plainInsertSamePostgres: the same INSERT into a plain table of Arbor's own PostgreSQL cluster.")

        let liveBytes = tree.center.residentBytes()
        progress("FullLoad of \(sizes.bulkRows) entities vs COPY")
        let binary = try await tree.fullLoad(topic: "bulk", format: .binary)
        let json = try await tree.fullLoad(topic: "bulk", format: .json)
        let copy = try peer.copyOut(topic: "bulk")
        guard binary.entities == sizes.bulkRows, json.entities == sizes.bulkRows, copy.rows == sizes.bulkRows else {
            throw CompareError("FullLoad returned \(binary.entities) (binary) / \(json.entities) (JSON), COPY \(copy.rows), of \(sizes.bulkRows) rows")
        }
        let copyRate = Double(copy.rows) / copy.seconds
        report.add("fullLoad.binary.entitiesPerSecond", unit: "entities/s", better: .higher, arbor: binary.perSecond, peer: copyRate)
        report.add("fullLoad.json.entitiesPerSecond", unit: "entities/s", better: .higher, arbor: json.perSecond, peer: copyRate)
        report.note("fullLoad", "FullLoad of the \(sizes.bulkRows) bulk entities from the center's cache server through an edge (decoded), against psql running COPY (SELECT … WHERE topics matches) TO STDOUT at the peer's center.")

        let peerBytes = try peer.bytesPerRow()
        report.add("memory.centerResidentBytesPerEntity", unit: "bytes", better: .lower,
                   arbor: Double(liveBytes - emptyCenterBytes) / Double(sizes.bulkRows), peer: peerBytes)
        progress("restart of the center with \(sizes.bulkRows) entities")
        let listening = try await tree.restartCenter()
        let restartStarted = ContinuousClock.now
        let loaded = try await tree.fullLoad(topic: "bulk", format: .binary)
        let firstLoad = SiteLatencyBenchmark.seconds(ContinuousClock.now - restartStarted)
        report.add("memory.centerResidentBytesPerEntityAfterRestart", unit: "bytes", better: .lower,
                   arbor: Double(tree.center.residentBytes() - emptyCenterBytes) / Double(loaded.entities), peer: peerBytes)
        report.add("restart.secondsUntilListening", unit: "s", better: .lower, arbor: listening, peer: nil)
        report.add("restart.secondsUntilFirstFullLoadAnswered", unit: "s", better: .lower, arbor: listening + firstLoad, peer: nil)
        report.note("memory", "resident set (VmRSS) of the center's arbor serve process after the bulk writes (and after a restart and one FullLoad), less the empty site's, per entity; peer: pg_total_relation_size of its table per row.")
    }

    private func rowsPerSecond(_ batches: [[UUID]], _ write: ([UUID]) async throws -> Void) async throws -> Double {
        let started = ContinuousClock.now
        for batch in batches { try await write(batch) }
        return Double(batches.reduce(0) { $0 + $1.count }) / SiteLatencyBenchmark.seconds(ContinuousClock.now - started)
    }

    // MARK: backlog drain

    private func drain(into report: inout CompareReport) async throws {
        let rowsPerTransaction = 100
        let batches = stride(from: 0, to: sizes.backlogRows, by: rowsPerTransaction).map { start in
            (start..<min(start + rowsPerTransaction, sizes.backlogRows)).map { _ in UUID() }
        }
        guard let sentinel = batches.last?.last else { return }
        progress("backlog drain: \(sizes.backlogRows) matching rows (and as many others) behind the peer's branch")
        try peer.pauseBranch()
        for batch in batches {
            try await peer.insert(batch, topic: "bench")
            try await peer.insert(batch.map { _ in UUID() }, topic: "other")
        }
        let peerStarted = ContinuousClock.now
        try peer.resumeBranch()
        let peerSeconds = SiteLatencyBenchmark.seconds(try await peer.atBranch.wait(for: sentinel, timeout: .seconds(900), place: "the peer's branch") - peerStarted)
        progress("backlog drain: the same behind Arbor's branch")
        tree.branch.stop()
        for batch in batches {
            try await tree.append(batch, topic: "bench")
            try await tree.append(batch.map { _ in UUID() }, topic: "other")
        }
        try await tree.branch.start()
        let arborStarted = ContinuousClock.now
        let arborSeconds = SiteLatencyBenchmark.seconds(try await tree.atBranch.wait(for: sentinel, timeout: .seconds(900), place: "Arbor's branch") - arborStarted)
        report.add("backlogDrain.matchingRowsPerSecond", unit: "rows/s", better: .higher,
                   arbor: Double(sizes.backlogRows) / arborSeconds, peer: Double(sizes.backlogRows) / peerSeconds)
        report.note("backlogDrain", "the branch stopped (Arbor: its process; peer: ALTER SUBSCRIPTION DISABLE) while the center committed \(batches.count * 2) transactions of \(rowsPerTransaction) rows, half of them matching the branch's slice / row filter; timed from the branch listening again (peer: ENABLE) until the last matching row reached the branch's follower (peer: its LISTEN connection).")
    }

    // MARK: gap-free log

    private func storeWrite(into report: inout CompareReport) async throws {
        progress("store-write: gap-free log against a naive sequence")
        let transactions = sizes.bulkRows >= 100_000 ? 4_000 : 1_000
        let options = try Options(["store-write", "--db", tree.cluster.url, "--transactions", String(transactions)][...])
        let result = try await StoreWriteBenchmark(options: options).run()
        report.add("storeWrite.transactionsPerSecond", unit: "transactions/s", better: .higher,
                   arbor: result.arbor.transactionsPerSecond, peer: nil, peers: ["naiveSequence": result.naive.transactionsPerSecond])
        report.note("storeWrite", "the store-write benchmark (8 writers, \(transactions) one-entity transactions) against Arbor's center cluster: the gap-free log against a naive bigserial log; ratio_naiveSequence is the issue's 'gap-free log vs a naive sequence'.")
    }
}
