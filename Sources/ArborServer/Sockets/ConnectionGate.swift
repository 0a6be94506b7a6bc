/// Counts a listener's open connections and decides, per accepted connection, whether it is
/// served or closed at once (issue 11 item 5). A pure rule: the caller passes the time and does
/// the closing and the logging the actions ask for.
struct ConnectionGate: Sendable {
    /// What to do with an accepted connection.
    enum Decision: Equatable, Sendable {
        /// Serve it.
        case serve
        /// Close it; `report` carries how many were refused since the last warning when one is
        /// due now (warnings are rate-limited to one per ``warningInterval``).
        case refuse(report: Int?)
    }

    let maximum: Int
    let warningInterval: Duration
    private(set) var open = 0
    private var refusedSinceReport = 0
    private var lastReport: ContinuousClock.Instant?

    init(maximum: Int, warningInterval: Duration = .seconds(10)) {
        self.maximum = maximum
        self.warningInterval = warningInterval
    }

    /// A connection was accepted at `now`.
    mutating func accepted(at now: ContinuousClock.Instant) -> Decision {
        guard open >= maximum else {
            open += 1
            return .serve
        }
        refusedSinceReport += 1
        if let lastReport, now - lastReport < warningInterval { return .refuse(report: nil) }
        lastReport = now
        defer { refusedSinceReport = 0 }
        return .refuse(report: refusedSinceReport)
    }

    /// A served connection closed.
    mutating func closed() {
        open = max(0, open - 1)
    }
}
