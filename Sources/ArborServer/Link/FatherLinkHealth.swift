/// Whether a son's link to its father is up, without I/O (§8.2; the node/daemon heartbeat).
///
/// The link is connected while both halves are: the last fetch answer and the last upload or
/// heartbeat answer are fresh. The site is connected to the center when, besides, the father
/// said so in its last answer. Time is passed in.
struct FatherLinkHealth: Sendable {
    /// What the link reports.
    enum Status: Hashable, Sendable, CustomStringConvertible {
        /// Both halves answered recently; `toCenter` is the father's own view (§8.2).
        case connected(toCenter: Bool)
        /// A half failed or its answers are stale: the site works standalone.
        case disconnected
        /// The father refused the link; an operator must act.
        case refused(String)

        public var description: String {
            switch self {
            case .connected(true): return "connected"
            case .connected(false): return "connected (father not connected to center)"
            case .disconnected: return "disconnected"
            case .refused(let reason): return "refused: \(reason)"
            }
        }

        /// Whether the site counts as connected to the center.
        var isConnectedToCenter: Bool { self == .connected(toCenter: true) }
    }

    /// Which half of the link an event is about.
    enum Half: Hashable, Sendable {
        case download, upload
    }

    typealias Instant = ContinuousClock.Instant

    /// How old a fetch answer may be (a long poll answers at least every fetch wait).
    let fetchFreshness: Duration
    /// How old an upload or heartbeat answer may be.
    let uploadFreshness: Duration
    private var lastFetch: Instant?
    private var lastUpload: Instant?
    private var fatherConnectedToCenter = false
    private var refusals: [Half: String] = [:]
    private var hasFailed = false
    private(set) var reported: Status?

    init(fetchWait: Duration, heartbeatInterval: Duration) {
        fetchFreshness = fetchWait + heartbeatInterval * 2
        uploadFreshness = heartbeatInterval * 2
    }

    /// Event: the father answered `half` at `now`, saying whether it is connected to the center.
    mutating func answered(_ half: Half, at now: Instant, connectedToCenter: Bool) {
        switch half {
        case .download: lastFetch = now
        case .upload: lastUpload = now
        }
        fatherConnectedToCenter = connectedToCenter
        refusals[half] = nil
    }

    /// Event: a step of `half` failed; with `refusal`, the father refused it.
    mutating func failed(_ half: Half, refusal: String? = nil) {
        switch half {
        case .download: lastFetch = nil
        case .upload: lastUpload = nil
        }
        refusals[half] = refusal
        hasFailed = true
    }

    /// Whether the link is still starting: nothing reported yet, nothing failed, and the half
    /// that answered did so recently while the other has not answered yet. Reporting
    /// "disconnected" then only adds a false line before "connected" at every start.
    private func isStarting(at now: Instant) -> Bool {
        guard reported == nil, !hasFailed, lastFetch == nil || lastUpload == nil else { return false }
        if let lastFetch, now - lastFetch > fetchFreshness { return false }
        if let lastUpload, now - lastUpload > uploadFreshness { return false }
        return true
    }

    /// The status at `now`.
    func status(at now: Instant) -> Status {
        if let refusal = refusals[.download] ?? refusals[.upload] { return .refused(refusal) }
        guard let lastFetch, let lastUpload, now - lastFetch <= fetchFreshness, now - lastUpload <= uploadFreshness else {
            return .disconnected
        }
        return .connected(toCenter: fatherConnectedToCenter)
    }

    /// Event: time passed or something happened; returns the status when it differs from the
    /// one reported last (and records it as reported).
    mutating func evaluate(at now: Instant) -> Status? {
        let current = status(at: now)
        guard current != reported, !(current == .disconnected && isStarting(at: now)) else { return nil }
        reported = current
        return current
    }
}
