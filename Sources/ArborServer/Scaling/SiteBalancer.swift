import ArborCore
import ArborStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Load balancing between the server processes of one site (§8.1).
///
/// Each process announces its URL, the edges it served lately and whether it is the master in
/// the site's `site_servers` table every `announceInterval`, and reads the others'. When an edge
/// fetches or loads here while a fresh peer serves at least ``LoadBalancingRule/margin`` fewer
/// edges, the answer carries `X-Arbor-Redirect` with the peer's URL and the edge sends its next
/// request there. Nothing about the edge's session has to move: registrations live in the
/// database, and a fetch session starts afresh at the sequence the edge presents.
public final class SiteBalancer: Service, Sendable {
    struct State {
        /// When each client last made a fetch or load here.
        var lastRequest: [String: ContinuousClock.Instant] = [:]
        /// The peers' announcements as last read (adjusted for edges sent to them since).
        var peers: [SiteServerLoad] = []
        /// The URL edges use for this process; nothing is announced or redirected before it is known.
        var ownURL: String?
    }

    private let store: any SiteStore
    private let rule: LoadBalancingRule
    private let isMaster: @Sendable () -> Bool
    private let announceInterval: Duration
    private let edgeIdleAfter: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - ownURL: this process's base URL as listed in the edges' configurations; nil until
    ///     ``listen(at:)`` gives it (a port chosen at bind time).
    ///   - edgeIdleAfter: an edge that made no request for this long is no longer counted.
    public init(
        store: any SiteStore, ownURL: String? = nil, isMaster: @escaping @Sendable () -> Bool, rule: LoadBalancingRule = LoadBalancingRule(),
        announceInterval: Duration = .seconds(1), edgeIdleAfter: Duration = .seconds(15), logger: Logger
    ) {
        self.store = store
        state.withLock { $0.ownURL = ownURL }
        self.isMaster = isMaster
        self.rule = rule
        self.announceInterval = announceInterval
        self.edgeIdleAfter = edgeIdleAfter
        self.logger = logger
    }

    /// Sets the URL edges use for this process, once it listens.
    public func listen(at url: String) {
        state.withLock { $0.ownURL = url }
    }

    /// This process's URL, once known.
    public var ownURL: String? { state.withLock { $0.ownURL } }

    /// Edges counted here now.
    public var edgeCount: Int { state.withLock { $0.lastRequest.count } }

    /// Records a fetch or load by `clientId`; returns the peer to send the client to, if any.
    public func noteRequest(clientId: String) -> String? {
        let now = ContinuousClock.now
        let nowMicroseconds = EntitiesSubsystem.systemMicroseconds()
        return state.withLock { state -> String? in
            state.lastRequest[clientId] = now
            guard let ownURL = state.ownURL else { return nil }
            let target = rule.redirectTarget(ownURL: ownURL, ownEdges: state.lastRequest.count, peers: state.peers, nowMicroseconds: nowMicroseconds)
            guard let target else { return nil }
            state.lastRequest[clientId] = nil
            if let index = state.peers.firstIndex(where: { $0.url == target }) { state.peers[index].edges += 1 }
            return target
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var reportedFailure = false
            while !Task.isCancelled {
                do {
                    try await self.announce()
                    reportedFailure = false
                } catch {
                    if !reportedFailure { self.logger.warning("cannot announce this server to the other servers of the site: \(error)") }
                    reportedFailure = true
                }
                try? await Task.sleep(for: self.announceInterval)
            }
        }
        // Peers stop sending edges here at once instead of after the staleness limit.
        if let ownURL { try? await store.withdrawServer(url: ownURL) }
    }

    /// Drops idle edges, writes this process's announcement and reads the peers' (the service does it every interval).
    public func announce() async throws {
        let cutoff = ContinuousClock.now - edgeIdleAfter
        let (known, edges) = state.withLock { state -> (String?, Int) in
            state.lastRequest = state.lastRequest.filter { $0.value >= cutoff }
            return (state.ownURL, state.lastRequest.count)
        }
        guard let ownURL = known else { return }
        let now = EntitiesSubsystem.systemMicroseconds()
        try await store.announceServer(SiteServerLoad(url: ownURL, edges: edges, isMaster: isMaster(), seenMicroseconds: now))
        let peers = rule.live(try await store.siteServers(), nowMicroseconds: now).filter { $0.url != ownURL }
        state.withLock { $0.peers = peers }
    }
}
