/// How far the follower of a link (a son, or a client of this site) is behind its leader's
/// log, without I/O: in sequences, and in seconds since it was last caught up. Times are
/// wall-clock microseconds passed in.
struct LinkLag: Hashable, Sendable {
    /// The leader's sequence the follower has everything through.
    private(set) var position: Int64 = 0
    /// When the follower last had everything of the leader's log.
    private(set) var caughtUpMicroseconds: Int64?

    /// Event: at `now` the follower holds everything through `position` and the leader's log
    /// ends at `leaderSequence`.
    mutating func observed(position: Int64, leaderSequence: Int64, atMicroseconds now: Int64) {
        self.position = position
        if position >= leaderSequence { caughtUpMicroseconds = now }
    }

    /// The lag at `now` against `leaderSequence`. A follower that is `following` (its link is up)
    /// and has everything lags 0 s; otherwise the seconds since it last had everything (nil: never).
    func lag(leaderSequence: Int64, atMicroseconds now: Int64, following: Bool) -> (sequences: Int64, seconds: Double?) {
        let sequences = max(0, leaderSequence - position)
        if sequences == 0, following { return (0, 0) }
        return (sequences, caughtUpMicroseconds.map { Double(max(0, now - $0)) / 1_000_000 })
    }
}
