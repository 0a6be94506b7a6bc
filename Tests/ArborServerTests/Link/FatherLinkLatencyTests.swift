import ArborCore
import ArborServer
import ArborTesting
import Foundation
import Testing

/// Measures how long a father's write takes to reach a linked son (printed, not asserted:
/// timings depend on the machine).
///
/// Each write is split into its commit at the father (the father's database, which the link
/// cannot speed up) and its delivery (commit → visible at the son: the father's log tail, its
/// long poll, the answer, the son's merge). The bounds only catch a link that stopped: they are
/// minutes, so a loaded 2-core machine running the whole suite never trips them.
@Suite(.heavy) struct FatherLinkLatencyTests {
    /// How long one write may take to reach the son before the test calls the link stuck.
    static let stuckAfter: Duration = .seconds(120)

    @Test(arguments: TestStores.available)
    func fatherWriteToSonLatency(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend) { pair in
            let (father, son) = (pair.father, pair.son)
            try await eventually("connected", timeout: Self.stuckAfter) { son.connection.isConnected }
            var totals: [Duration] = [], commits: [Duration] = [], deliveries: [Duration] = []
            for n in 0..<100 {
                let id = Fixtures.id(10_000 + n)
                let seen = son.context.logTail.lastSequence
                let started = ContinuousClock.now
                try await father.create(id, name: "latency \(n)")
                let committed = ContinuousClock.now
                let deadline = committed + Self.stuckAfter
                var after = seen
                // The son's merge appends a CREATE to its log; its log tail wakes at once.
                while try await son.customer(id) == nil {
                    guard ContinuousClock.now < deadline else { throw TestStoreError("write \(n) did not reach the son within \(Self.stuckAfter) of its commit") }
                    after = await son.context.logTail.waitForSequence(after: after, timeout: .milliseconds(200))
                }
                let visible = ContinuousClock.now
                totals.append(visible - started)
                commits.append(committed - started)
                deliveries.append(visible - committed)
            }
            print(
                "father(\(backend)) → son(sqlite) write latency over \(totals.count) writes: \(Self.summary(totals)); "
                    + "commit at the father \(Self.summary(commits)); commit → visible at the son \(Self.summary(deliveries))")
            #expect(totals.count == 100)
        }
    }

    /// `p50 …, p99 …, max … ms` of `durations`.
    static func summary(_ durations: [Duration]) -> String {
        let sorted = durations.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        return "p50 \(ms(p50)) ms, p99 \(ms(p99)) ms, max \(ms(sorted.last!)) ms"
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}
