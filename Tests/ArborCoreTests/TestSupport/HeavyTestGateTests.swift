import ArborTesting
import Foundation
import Synchronization
import Testing

/// Shared state of concurrent tasks in these tests.
private final class Recorder<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

/// The gate alone: bounded, first in first out, every permit given back.
@Suite struct HeavyTestGateTests {
    @Test func atMostThePermitsRunAtOnceAndAllFinish() async {
        let gate = HeavyTestGate(permits: 2)
        let running = Recorder((now: 0, most: 0, finished: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await gate.withPermit {
                        running.value.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try? await Task.sleep(for: .milliseconds(20))
                        running.value.withLock { $0.now -= 1; $0.finished += 1 }
                    }
                }
            }
        }
        let seen = running.value.withLock { $0 }
        #expect(seen.most <= 2)
        #expect(seen.finished == 8)
        let state = await gate.state
        #expect(state.available == 2 && state.waiting == 0)
    }

    @Test func waitersAreServedInArrivalOrder() async {
        let gate = HeavyTestGate(permits: 1)
        await gate.acquire()
        let order = Recorder<[Int]>([])
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask {
                    await gate.acquire()
                    order.value.withLock { $0.append(index) }
                    await gate.release()
                }
                // The next waiter arrives only once this one waits.
                while await gate.state.waiting < index + 1 { await Task.yield() }
            }
            await gate.release()
        }
        #expect(order.value.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    @Test func theEnvironmentSetsThePermits() {
        #expect(HeavyTestGate.configuredPermits([:]) == 2)
        #expect(HeavyTestGate.configuredPermits(["ARBOR_TEST_HEAVY_PARALLELISM": "1"]) == 1)
        #expect(HeavyTestGate.configuredPermits(["ARBOR_TEST_HEAVY_PARALLELISM": "0"]) == 2)
        #expect(HeavyTestGate.configuredPermits(["ARBOR_TEST_HEAVY_PARALLELISM": "many"]) == 2)
    }

    @Test func aTimeLimitRecordsAnIssueAndCancelsTheBody() async throws {
        let cancelled = Recorder(false)
        await withKnownIssue {
            try await HeavyTestTrait.run({
                do { try await Task.sleep(for: .seconds(600)) } catch { cancelled.value.withLock { $0 = true } }
            }, timeLimit: .milliseconds(50))
        }
        #expect(cancelled.value.withLock { $0 })
        // A body that ends in time records nothing.
        try await HeavyTestTrait.run({}, timeLimit: .seconds(600))
    }

    @Test func anUnmarkedTestHoldsNoPermit() {
        #expect(HeavyTestTrait.currentPermit == nil)
    }
}

/// How Swift Testing calls the trait, checked on real tests: a suite-level `.heavy` gates each
/// test and each case of a parameterized test separately (never the suite as a whole), and a
/// `.heavy` test inside a `.heavy` suite takes one permit, not two. Serialized, so the last
/// test (source order) sees what the others recorded.
@Suite(.heavy, .serialized) struct HeavyTestTraitScopeTests {
    static let permits = Mutex<[String: UUID]>([:])

    static func record(_ name: String) {
        let permit = HeavyTestTrait.currentPermit
        #expect(permit != nil, "\(name) runs without a permit")
        if let permit { permits.withLock { $0[name] = permit } }
    }

    @Test func aPlainTestHoldsAPermit() { Self.record("plain") }

    @Test(arguments: ["sqlite", "postgres"]) func eachCaseHoldsItsOwnPermit(backend: String) { Self.record(backend) }

    @Test(.heavy) func aHeavyTestInAHeavySuiteTakesOnePermit() async {
        Self.record("nested")
        // With a single permit configured, a second acquire here would never return.
        let state = await HeavyTestGate.shared.state
        #expect(state.available < HeavyTestGate.shared.permits)
    }

    @Test func zzEveryCaseHadItsOwnPermit() {
        Self.record("last")
        let seen = Self.permits.withLock { $0 }
        #expect(Set(seen.keys) == ["plain", "sqlite", "postgres", "nested", "last"])
        #expect(Set(seen.values).count == seen.count)
    }
}
