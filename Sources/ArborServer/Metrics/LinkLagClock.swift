/// How long a link has been behind, from its lag in sequences sampled over time, without I/O:
/// the time since it was last seen caught up (at most the time since sampling began).
struct LinkLagClock: Sendable {
    typealias Instant = ContinuousClock.Instant

    private var caughtUpAt: Instant

    /// A clock that counts from `start` until the link is first seen caught up.
    init(start: Instant) {
        caughtUpAt = start
    }

    /// Event: the link's lag was `lag` sequences at `now`; returns how long it has been behind.
    mutating func sampled(lag: Int64, at now: Instant) -> Duration {
        guard lag > 0 else {
            caughtUpAt = now
            return .zero
        }
        return now - caughtUpAt
    }
}

extension Duration {
    /// The duration in seconds, as Prometheus wants it.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
