@testable import ArborServer
import Testing

/// How long a link has been behind, from sampled lags (issue 13 item 2).
@Suite struct LinkLagClockTests {
    @Test func theLagInSecondsCountsFromTheLastTimeTheLinkWasCaughtUp() {
        let start = ContinuousClock.now
        var clock = LinkLagClock(start: start)
        #expect(clock.sampled(lag: 3, at: start + .seconds(2)) == .seconds(2), "behind since sampling began")
        #expect(clock.sampled(lag: 0, at: start + .seconds(5)) == .zero)
        #expect(clock.sampled(lag: 7, at: start + .seconds(6)) == .seconds(1))
        #expect(clock.sampled(lag: 2, at: start + .seconds(9)) == .seconds(4), "still behind: the time goes on")
        #expect(clock.sampled(lag: 0, at: start + .seconds(10)) == .zero)
    }
}
