@testable import ArborServer
import Synchronization
import Testing

/// Concurrent callers share reads, yet each gets a read that began after it asked.
@Suite struct CoalescedReadTests {
    /// A read that counts itself and waits until the test opens its gate.
    final class GatedReads: Sendable {
        let number = Mutex(0)
        let gates = Mutex<[Int: CheckedContinuation<Void, Never>]>([:])

        func read() async -> Int {
            let mine = number.withLock { $0 += 1; return $0 }
            await withCheckedContinuation { continuation in gates.withLock { $0[mine] = continuation } }
            return mine
        }

        /// Opens read `n` once it has begun (waiting for it to begin).
        func open(_ n: Int) async throws {
            try await waitUntil { gates.withLock { $0[n] != nil } }
            gates.withLock { $0.removeValue(forKey: n) }?.resume()
        }
    }

    @Test func callersDuringARunningReadShareTheNextReadNotTheRunningOne() async throws {
        let reads = GatedReads()
        let coalesced = CoalescedRead { await reads.read() }
        let first = Task { try await coalesced.value() }
        try await waitUntil { coalesced.counts.started == 1 }
        // These ask while read 1 runs: it may have begun before them, so they must get read 2.
        let late = (0..<50).map { _ in Task { try await coalesced.value() } }
        try await waitUntil { coalesced.counts.queuedCallers == 50 }
        try await reads.open(1)
        #expect(try await first.value == 1)
        try await reads.open(2)
        for task in late { #expect(try await task.value == 2) }
        #expect(coalesced.counts.started == 2)
    }

    @Test func aCallerAfterAReadEndedReadsAgain() async throws {
        let count = Mutex(0)
        let coalesced = CoalescedRead { count.withLock { $0 += 1; return $0 } }
        #expect(try await coalesced.value() == 1)
        #expect(try await coalesced.value() == 2)
        #expect(try await coalesced.value() == 3)
    }

    struct ReadFailed: Error {}

    @Test func aFailedReadFailsItsCallersAndTheNextCallerReadsAgain() async throws {
        let count = Mutex(0)
        let coalesced = CoalescedRead { () throws -> Int in
            let n = count.withLock { $0 += 1; return $0 }
            if n == 1 { throw ReadFailed() }
            return n
        }
        await #expect(throws: ReadFailed.self) { try await coalesced.value() }
        #expect(try await coalesced.value() == 2)
    }

    @Test func everyReadStartedServesACallerAndEveryCallerGetsAValue() async throws {
        let count = Mutex(0)
        let coalesced = CoalescedRead { () async throws -> Int in
            try await Task.sleep(for: .milliseconds(1))
            return count.withLock { $0 += 1; return $0 }
        }
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<500 { group.addTask { try await coalesced.value() } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values.count == 500)
        // A read starts only for a caller that waits for it: no read goes unused.
        #expect(Set(values).count == coalesced.counts.started)
    }

    struct WaitTimedOut: Error {}
}

/// Polls `condition` (the callers are tasks: when they have joined is not otherwise observable),
/// with a bound that a loaded machine cannot reach.
private func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw CoalescedReadTests.WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(1))
    }
}
