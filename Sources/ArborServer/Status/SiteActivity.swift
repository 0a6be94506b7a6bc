import ArborStore
import Synchronization

/// What one server process saw happen, kept in memory for its status page: when each client
/// was last seen, its fetches (slice, open long polls, lag), son contacts, recent errors and
/// the lag history. Bounded: per client of the clients table (≤ 64), a ring of errors, a ring
/// of samples per link.
public final class SiteActivity: Sendable {
    /// The fetches of one client.
    struct ClientFetches: Hashable, Sendable {
        var slice: String
        var registered: Bool
        var lastFetchMicroseconds: Int64
        /// Open long polls, and of those the ones that began with everything of the log (they
        /// answer at once when something comes, so the client follows while they are open).
        var open = 0
        var openFollowing = 0
        var lag = LinkLag()
    }

    /// What a fetch that began needs to report its end.
    public struct FetchToken: Sendable {
        let clientId: String
        let following: Bool
    }

    struct State: Sendable {
        var lastSeen: [String: Int64] = [:]
        var fetches: [String: ClientFetches] = [:]
        var sonContacts: [String: Int64] = [:]
        var errors = RecentErrors()
        var lagHistory = LagHistory()
        var fatherLink: (@Sendable (Int64) async -> SiteStatusReport.FatherStatus?)?
        var fatherLag: (@Sendable (Int64) -> (sequences: Int64?, seconds: Double?))?
    }

    let state = Mutex(State())

    public init() {}

    /// Event: an authenticated request of `clientId` arrived.
    func clientSeen(_ clientId: String, atMicroseconds now: Int64) {
        state.withLock { $0.lastSeen[clientId] = now }
    }

    /// Event: `clientId` fetches from `fromSequence` with `slice` while the log ends at `logEnd`.
    func fetchBegan(clientId: String, slice: String, registered: Bool, fromSequence: Int64, logEnd: Int64, atMicroseconds now: Int64) -> FetchToken {
        let following = fromSequence >= logEnd
        state.withLock { state in
            var fetches = state.fetches[clientId] ?? ClientFetches(slice: slice, registered: registered, lastFetchMicroseconds: now)
            fetches.slice = slice
            fetches.registered = registered
            fetches.lastFetchMicroseconds = now
            fetches.open += 1
            if following { fetches.openFollowing += 1 }
            fetches.lag.observed(position: fromSequence, leaderSequence: logEnd, atMicroseconds: now)
            state.fetches[clientId] = fetches
        }
        return FetchToken(clientId: clientId, following: following)
    }

    /// Event: the fetch of `token` answered through `answeredSequence` while the log ends at `logEnd`
    /// (a failed fetch answers nothing: pass nil).
    func fetchEnded(_ token: FetchToken, answeredSequence: Int64?, logEnd: Int64, atMicroseconds now: Int64) {
        state.withLock { state in
            guard var fetches = state.fetches[token.clientId] else { return }
            fetches.open = max(0, fetches.open - 1)
            if token.following { fetches.openFollowing = max(0, fetches.openFollowing - 1) }
            fetches.lastFetchMicroseconds = now
            if let answeredSequence { fetches.lag.observed(position: answeredSequence, leaderSequence: logEnd, atMicroseconds: now) }
            state.fetches[token.clientId] = fetches
        }
    }

    /// A client's lag behind this site's log ending at `logEnd`, nil when it has not fetched here.
    func fetchLag(of clientId: String, logEnd: Int64, atMicroseconds now: Int64) -> (sequences: Int64, seconds: Double?)? {
        state.withLock { state in
            guard let fetches = state.fetches[clientId] else { return nil }
            if fetches.openFollowing > 0 { return (0, 0) }
            return fetches.lag.lag(leaderSequence: logEnd, atMicroseconds: now, following: false)
        }
    }

    /// Event: son `clientId` uploaded, asked its position or reported.
    func sonContacted(_ clientId: String, atMicroseconds now: Int64) {
        state.withLock { $0.sonContacts[clientId] = now }
    }

    /// Event: an error was answered or met.
    func recordError(source: String, code: String, message: String, atMicroseconds now: Int64) {
        state.withLock { $0.errors.record(source: source, code: code, message: message, atMicroseconds: now) }
    }

    /// Makes the status page ask `status` (the running father link) about the father, and
    /// `lag` for the lag sampled into the history; nil when the link stops.
    func attachFatherLink(
        status: (@Sendable (Int64) async -> SiteStatusReport.FatherStatus?)?, lag: (@Sendable (Int64) -> (sequences: Int64?, seconds: Double?))?
    ) {
        state.withLock { $0.fatherLink = status; $0.fatherLag = lag }
    }

    /// The running father link's view of its father (connected, lag, upload backlog), as the
    /// status page shows it; nil while no link runs in this process.
    public func fatherStatus(atMicroseconds now: Int64) async -> SiteStatusReport.FatherStatus? {
        guard let probe = state.withLock({ $0.fatherLink }) else { return nil }
        return await probe(now)
    }

    /// Event: the lag of each link was sampled.
    func recordLag(_ samples: [String: LagHistory.Point]) {
        state.withLock { $0.lagHistory.record(samples) }
    }

    /// Forgets the clients no longer in the clients table, so what is kept stays bounded by it.
    func keepOnly(clients: Set<String>) {
        state.withLock { state in
            state.lastSeen = state.lastSeen.filter { clients.contains($0.key) }
            state.fetches = state.fetches.filter { clients.contains($0.key) }
            state.sonContacts = state.sonContacts.filter { clients.contains($0.key) }
        }
    }
}
