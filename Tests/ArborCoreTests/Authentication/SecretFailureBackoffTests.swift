import ArborCore
import Testing

/// The backoff of repeated wrong secrets (issue 11 item 4), with time passed in.
@Suite struct SecretFailureBackoffTests {
    let start = ContinuousClock.now

    func settings(free: Int = 3) -> SecretFailureBackoff.Settings {
        var settings = SecretFailureBackoff.Settings()
        settings.freeFailures = free
        settings.firstRefusal = .seconds(1)
        settings.longestRefusal = .seconds(8)
        settings.forgetAfter = .seconds(100)
        return settings
    }

    @Test func freeFailuresAreAllowedThenRefusalsDoubleUpToTheLongest() {
        var backoff = SecretFailureBackoff(settings: settings())
        var now = start
        for _ in 0..<3 {
            #expect(backoff.attempt(client: "c", peer: "10.0.0.1", at: now) == .allow)
            backoff.failed(client: "c", peer: "10.0.0.1", at: now)
        }
        #expect(backoff.attempt(client: "c", peer: "10.0.0.1", at: now) == .allow, "free failures cause no refusal")
        var refusals: [Duration] = []
        for _ in 0..<6 {
            backoff.failed(client: "c", peer: "10.0.0.1", at: now)
            guard case .refuse(let until) = backoff.attempt(client: "c", peer: "10.0.0.1", at: now) else {
                Issue.record("a failure past the free ones was not refused")
                return
            }
            refusals.append(until - now)
            now = until
            #expect(backoff.attempt(client: "c", peer: "10.0.0.1", at: now) == .allow, "allowed again once the refusal ends")
        }
        #expect(refusals == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
    }

    @Test func aPeerIsRefusedForEveryClientAndAClientFromEveryPeer() {
        var backoff = SecretFailureBackoff(settings: settings(free: 0))
        backoff.failed(client: "guessed", peer: "10.0.0.9", at: start)
        #expect(backoff.attempt(client: "other", peer: "10.0.0.9", at: start) == .refuse(until: start + .seconds(1)), "the peer is backed off")
        #expect(backoff.attempt(client: "guessed", peer: "10.0.0.2", at: start) == .refuse(until: start + .seconds(1)), "the client is backed off")
        #expect(backoff.attempt(client: "other", peer: "10.0.0.2", at: start) == .allow)
        #expect(backoff.attempt(client: "other", peer: nil, at: start) == .allow, "an unknown peer is keyed by client only")
    }

    @Test func theLaterOfTwoRefusalsIsAnswered() {
        var backoff = SecretFailureBackoff(settings: settings(free: 0))
        backoff.failed(client: "a", peer: "p", at: start)  // both 1 s
        backoff.failed(client: "b", peer: "p", at: start)  // peer now 2 s
        #expect(backoff.attempt(client: "a", peer: "p", at: start) == .refuse(until: start + .seconds(2)))
    }

    @Test func successClearsTheClientButNotThePeer() {
        var backoff = SecretFailureBackoff(settings: settings(free: 0))
        backoff.failed(client: "c", peer: "p", at: start)
        backoff.succeeded(client: "c", peer: "p", at: start + .seconds(1))
        #expect(backoff.attempt(client: "c", peer: "q", at: start + .seconds(1)) == .allow)
        backoff.failed(client: "c", peer: "q", at: start + .seconds(1))
        #expect(backoff.attempt(client: "c", peer: "q", at: start + .seconds(1)) == .refuse(until: start + .seconds(2)), "the count started again")
        backoff.failed(client: "x", peer: "p", at: start + .seconds(1))
        #expect(backoff.attempt(client: "y", peer: "p", at: start + .seconds(1)) == .refuse(until: start + .seconds(3)), "the peer kept its count")
    }

    @Test func quietKeysAreForgotten() {
        var backoff = SecretFailureBackoff(settings: settings(free: 1))
        backoff.failed(client: "c", peer: "p", at: start)
        backoff.failed(client: "c", peer: "p", at: start)
        let later = start + .seconds(100)
        #expect(backoff.attempt(client: "c", peer: "p", at: later) == .allow)
        #expect(backoff.trackedKeys == 0)
        backoff.failed(client: "c", peer: "p", at: later)
        #expect(backoff.attempt(client: "c", peer: "p", at: later) == .allow, "the count started again after the quiet time")
    }

    @Test func theNumberOfKeysIsBounded() {
        var limited = settings(free: 0)
        limited.maximumKeys = 10
        var backoff = SecretFailureBackoff(settings: limited)
        for number in 0..<100 {
            backoff.failed(client: "c\(number)", peer: "p\(number)", at: start + .milliseconds(number))
        }
        #expect(backoff.trackedKeys == 10)
        #expect(backoff.attempt(client: "c99", peer: "p99", at: start + .milliseconds(99)) != .allow, "the most recent failure is kept")
        #expect(backoff.attempt(client: "c0", peer: "p0", at: start + .milliseconds(99)) == .allow, "the oldest were forgotten")
    }

    @Test func afterARefusalOneProbeGoesThroughAndTheOthersWaitForIt() {
        var backoff = SecretFailureBackoff(settings: settings(free: 0))
        backoff.failed(client: "c", peer: "p", at: start)
        let later = start + .seconds(1)
        #expect(backoff.attempt(client: "c", peer: "p", at: later) == .allow, "the probe")
        #expect(backoff.attempt(client: "c", peer: "q", at: later) == .refuse(until: later + .seconds(1)), "the client's probe is out")
        #expect(backoff.attempt(client: "d", peer: "p", at: later) == .refuse(until: later + .seconds(1)), "the peer's probe is out")
        backoff.abandoned(client: "c", peer: "p", at: later)
        #expect(backoff.attempt(client: "d", peer: "p", at: later) == .allow, "an abandoned probe frees the key")
        // That probe is never decided: after the longest refusal it counts as lost.
        #expect(backoff.attempt(client: "e", peer: "p", at: later + .seconds(7)) != .allow)
        #expect(backoff.attempt(client: "e", peer: "p", at: later + .seconds(8)) == .allow)
        backoff.failed(client: "e", peer: "p", at: later + .seconds(8))
        #expect(backoff.attempt(client: "f", peer: "p", at: later + .seconds(8)) == .refuse(until: later + .seconds(10)), "the failed probe doubled the refusal")
    }
}
