import ArborCore
import ArborServer
import ArborTesting
import Foundation
import Testing

/// Measures how long a father's write takes to reach a linked son (printed, not asserted:
/// timings depend on the machine). The bounds only catch a link that never connects or a
/// write that never arrives; they hold with a wide margin on a loaded 2-core machine.
@Suite(.heavy) struct FatherLinkLatencyTests {
    @Test(arguments: TestStores.available)
    func fatherWriteToSonLatency(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend) { pair in
            let (father, son) = (pair.father, pair.son)
            try await eventually("connected", timeout: .seconds(120)) { son.connection.isConnected }
            var latencies: [Duration] = []
            for n in 0..<100 {
                let id = Fixtures.id(10_000 + n)
                let seen = son.context.logTail.lastSequence
                let started = ContinuousClock.now
                try await father.create(id, name: "latency \(n)")
                let deadline = started + .seconds(60)
                var after = seen
                // The son's merge appends a CREATE to its log; its log tail wakes at once.
                while try await son.customer(id) == nil {
                    guard ContinuousClock.now < deadline else { throw TestStoreError("write \(n) did not reach the son within 60 s") }
                    after = await son.context.logTail.waitForSequence(after: after, timeout: .milliseconds(200))
                }
                latencies.append(ContinuousClock.now - started)
            }
            let sorted = latencies.sorted()
            let p50 = sorted[sorted.count / 2]
            let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            print("father(\(backend)) → son(sqlite) write latency over \(sorted.count) writes: p50 \(Self.ms(p50)) ms, p99 \(Self.ms(p99)) ms, max \(Self.ms(sorted.last!)) ms")
            #expect(sorted.count == 100)
        }
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}
