@testable import ArborServer
import Testing

/// The pauses between a link's retries that an operator can end (SIGHUP, issue 13 item 6).
@Suite struct RetryWakeTests {
    @Test func wakeEndsAPauseUnderWay() async throws {
        let wake = RetryWake()
        let started = ContinuousClock.now
        let pause = Task { try await wake.sleep(for: .seconds(120)) }
        // The pause may not have begun yet: wake until it ends.
        let waker = Task {
            while !Task.isCancelled {
                wake.wake()
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try await pause.value
        waker.cancel()
        await waker.value
        #expect(ContinuousClock.now - started < .seconds(60), "the pause ran its full time")
        #expect(wake.wake() == 0, "no pause is under way any more")
        let later = ContinuousClock.now
        try await wake.sleep(for: .milliseconds(50))
        #expect(ContinuousClock.now - later >= .milliseconds(50), "an earlier wake does not end a later pause")
    }

    @Test func aCancelledPauseThrows() async {
        let wake = RetryWake()
        let pause = Task { try await wake.sleep(for: .seconds(600)) }
        pause.cancel()
        await #expect(throws: CancellationError.self) { try await pause.value }
    }
}
