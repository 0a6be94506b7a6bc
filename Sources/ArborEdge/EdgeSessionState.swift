import ArborCore
import Foundation

/// The rules of an edge's session, without I/O: which server to use, the slice and sequence
/// fetches continue from, the connected-to-center flag, and the back-off after a failed round.
///
/// ``Edge`` keeps one in a mutex and feeds it events; time is passed in.
struct EdgeSessionState: Sendable {
    /// A fetch under way: what it asked for, and the load generation it belongs to.
    struct FetchTicket: Hashable, Sendable {
        var fromSequence: Int64
        var slice: String
        var epoch: UInt64
        /// The site log `fromSequence` belongs to, sent with the fetch.
        var logIncarnation: UUID?
    }

    private(set) var servers: SiteServerList
    /// The sequence the client holds: fetches ask for deltas after it.
    private(set) var sequence: Int64 = 0
    /// The slice fetches use; nil until a load or skip-load.
    private(set) var slice: String?
    /// The site log ``sequence`` belongs to (`X-Arbor-Log-Incarnation` of the answer that gave
    /// it); nil when the site sent none.
    private(set) var logIncarnation: UUID?
    /// The last value a server sent in `X-Arbor-Connected-To-Center`.
    private(set) var connectedToCenter = false
    /// Bumped by every load, so a fetch answered after a load cannot move the sequence back.
    private(set) var epoch: UInt64 = 0
    private(set) var fetchInProgress = false
    /// When the last round in which every server failed ended; cleared by any answer.
    private(set) var failedRoundEnd: ContinuousClock.Instant?

    /// Which fail-over notices are written: at most one a minute per (from, to) pair, so a
    /// father that stays down does not write a line every second (issue 13 item 3).
    private var failoverLog = FailureLogThrottle(interval: .seconds(60), maximumKeys: 256)

    init(servers: SiteServerList) {
        self.servers = servers
    }

    // MARK: Servers

    /// A server answered (any status): records its headers, and follows a redirect to a listed server.
    mutating func received(connectedToCenter: Bool?, redirect: String?) {
        if let connectedToCenter { self.connectedToCenter = connectedToCenter }
        if let redirect, let target = EdgeConfiguration.normalizedServerURL(redirect) {
            servers.redirect(to: target)
        }
    }

    /// A request was answered (not failed over): the site is reachable again.
    mutating func succeeded() {
        failedRoundEnd = nil
    }

    /// `server` failed; returns the server to try next.
    mutating func failed(_ server: String) -> String {
        servers.failed(server).next
    }

    /// A fail-over from `server` to `next` at `now`: nil when its notice is not to be written,
    /// else how many fail-overs between the same two servers went unwritten since the last one.
    mutating func failoverNotice(from server: String, to next: String, at now: ContinuousClock.Instant) -> Int? {
        switch failoverLog.failed(client: server, peer: next, at: now) {
        case .log(let failures): failures - 1
        case .suppress: nil
        }
    }

    /// Every server failed in one round ending at `now`.
    mutating func roundFailed(at now: ContinuousClock.Instant) {
        failedRoundEnd = now
    }

    /// How long a request starting at `now` must wait for the back-off; nil when it may go at once.
    func backoffDelay(at now: ContinuousClock.Instant, backoff: Duration) -> Duration? {
        guard let failedRoundEnd else { return nil }
        let wait = failedRoundEnd + backoff - now
        return wait > .zero ? wait : nil
    }

    // MARK: Loads

    /// A full-load, sync-load or skip-load answered at `sequence` of log `logIncarnation`:
    /// fetches start over from it.
    mutating func loaded(slice: String, sequence: Int64, logIncarnation: UUID? = nil) {
        self.slice = slice
        self.sequence = sequence
        self.logIncarnation = logIncarnation
        epoch &+= 1
    }

    /// A partial-load answered at `sequence`. Fetches go on with the new slice from the older of
    /// the two positions: deltas the client has not fetched yet for its old entities must not be
    /// skipped, and deltas repeated for the newly loaded ones merge idempotently.
    mutating func partiallyLoaded(newSlice: String, sequence: Int64, logIncarnation: UUID? = nil) {
        // A load from another log than the one fetches were on: only its position is valid.
        let sameLog = self.logIncarnation == nil || logIncarnation == nil || self.logIncarnation == logIncarnation
        self.sequence = self.slice == nil || !sameLog ? sequence : min(self.sequence, sequence)
        self.logIncarnation = logIncarnation ?? self.logIncarnation
        self.slice = newSlice
        epoch &+= 1
    }

    // MARK: Fetches

    /// Starts a fetch; throws `InvalidUse` before any load, or while another fetch is under way.
    mutating func beginFetch() throws(EdgeError) -> FetchTicket {
        guard let slice else {
            throw EdgeError(code: .invalidUse, message: "fetch before a load: call fullLoad, syncLoad or skipLoad first")
        }
        guard !fetchInProgress else {
            throw EdgeError(code: .invalidUse, message: "another fetch of this edge is under way; fetch from one task at a time")
        }
        fetchInProgress = true
        return FetchTicket(fromSequence: sequence, slice: slice, epoch: epoch, logIncarnation: logIncarnation)
    }

    /// Ends the fetch of `ticket`; `sequence` is the answer's, nil when it failed, of log
    /// `logIncarnation` (adopted when none was known: a site upgraded since the load). Returns
    /// whether the sequence was taken (not when a load happened meanwhile).
    @discardableResult
    mutating func endFetch(_ ticket: FetchTicket, sequence newSequence: Int64?, logIncarnation: UUID? = nil) -> Bool {
        fetchInProgress = false
        guard let newSequence, ticket.epoch == epoch else { return false }
        sequence = newSequence
        if self.logIncarnation == nil { self.logIncarnation = logIncarnation }
        return true
    }
}
