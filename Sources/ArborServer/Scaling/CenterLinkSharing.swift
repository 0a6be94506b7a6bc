/// How the processes of one site agree on whether it is connected to the center (§8.1, §8.2),
/// without I/O: only the master runs the father link, so it records the link's state in the
/// database (a ``CenterLinkReport``) and the other processes read it.
///
/// The master writes when the state changes and otherwise every ``refreshInterval``, so a
/// reader that sees the report's time stand still for longer than ``freshness`` (on its own
/// clock, so clock differences between hosts do not matter) stops believing it: a dead master
/// is not believed forever. Time is passed in.
struct CenterLinkSharing: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// What the master does after observing its link.
    enum MasterAction: Hashable, Sendable {
        /// Record this report (the state changed, or it is time to show the master is alive).
        case publish(CenterLinkReport)
        /// Nothing to record yet.
        case none
    }

    /// How often an unchanged state is written again.
    let refreshInterval: Duration
    /// How long a report whose time does not move is believed.
    let freshness: Duration
    private var published: (connected: Bool, at: Instant)?
    private var lastRead: (report: CenterLinkReport, changedAt: Instant)?

    init(refreshInterval: Duration = .seconds(1), freshness: Duration = .seconds(5)) {
        self.refreshInterval = refreshInterval
        self.freshness = freshness
    }

    /// Event (master): its link says `connected` at `now`; `nowMicroseconds` is the wall clock.
    mutating func masterObserved(connected: Bool, at now: Instant, nowMicroseconds: Int64) -> MasterAction {
        if let published, published.connected == connected, now - published.at < refreshInterval { return .none }
        published = (connected, now)
        return .publish(CenterLinkReport(connected: connected, microseconds: nowMicroseconds))
    }

    /// Event (master): recording the last report failed; the next observation tries again.
    mutating func publishFailed() {
        published = nil
    }

    /// Event (other process): it read `report` (nil: none recorded) at `now`; returns whether
    /// the site counts as connected to the center. A report seen for the first time counts as
    /// fresh when its wall-clock age is within ``freshness``; after that only while its time keeps moving.
    mutating func read(_ report: CenterLinkReport?, at now: Instant, nowMicroseconds: Int64) -> Bool {
        published = nil
        guard let report else {
            lastRead = nil
            return false
        }
        if let lastRead, lastRead.report.microseconds == report.microseconds {
            self.lastRead = (report, lastRead.changedAt)
        } else if lastRead == nil, nowMicroseconds - report.microseconds > freshness.microseconds {
            // A report left by a master that died before this process started.
            self.lastRead = (report, now - freshness - .nanoseconds(1))
        } else {
            self.lastRead = (report, now)
        }
        guard let lastRead, now - lastRead.changedAt <= freshness else { return false }
        return report.connected
    }
}

extension Duration {
    /// Whole microseconds (rounded down).
    fileprivate var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
