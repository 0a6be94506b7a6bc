import ArborCore
import Testing

/// One warning per client and peer per interval, with the count of failures it stands for.
@Suite struct FailureLogThrottleTests {
    let start = ContinuousClock.now

    @Test func oneLinePerIntervalCarriesTheSuppressedCount() {
        var throttle = FailureLogThrottle(interval: .seconds(60))
        #expect(throttle.failed(client: "c", peer: "p", at: start) == .log(failures: 1))
        for second in 1...199 {
            #expect(throttle.failed(client: "c", peer: "p", at: start + .milliseconds(second * 100)) == .suppress)
        }
        #expect(throttle.failed(client: "c", peer: "p", at: start + .seconds(60)) == .log(failures: 200), "199 suppressed and this one")
        #expect(throttle.failed(client: "c", peer: "p", at: start + .seconds(61)) == .suppress)
    }

    @Test func eachClientAndPeerHasItsOwnLine() {
        var throttle = FailureLogThrottle(interval: .seconds(60))
        #expect(throttle.failed(client: "c", peer: "p", at: start) == .log(failures: 1))
        #expect(throttle.failed(client: "c", peer: "q", at: start) == .log(failures: 1))
        #expect(throttle.failed(client: "d", peer: "p", at: start) == .log(failures: 1))
        #expect(throttle.failed(client: "d", peer: nil, at: start) == .log(failures: 1))
        #expect(throttle.failed(client: "c", peer: "p", at: start) == .suppress)
    }

    @Test func theNumberOfPairsIsBounded() {
        var throttle = FailureLogThrottle(interval: .seconds(60), maximumKeys: 5)
        for number in 0..<50 {
            _ = throttle.failed(client: "c", peer: "p\(number)", at: start + .milliseconds(number))
        }
        #expect(throttle.trackedKeys == 5)
        #expect(throttle.failed(client: "c", peer: "p0", at: start + .seconds(1)) == .log(failures: 1), "a forgotten pair logs at once")
    }
}
