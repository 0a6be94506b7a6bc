/// One server process of a site as it announces itself to the others (§8.1): where edges reach
/// it, how many edges it serves, whether it holds the master role, and when it last said so.
public struct SiteServerLoad: Hashable, Sendable {
    /// The base URL edges use for it, e.g. `http://10.0.0.5:8080`.
    public var url: String
    /// Edges that made a request in the recent past.
    public var edges: Int
    public var isMaster: Bool
    /// Wall-clock microseconds of the announcement.
    public var seenMicroseconds: Int64

    public init(url: String, edges: Int, isMaster: Bool, seenMicroseconds: Int64) {
        self.url = url
        self.edges = edges
        self.isMaster = isMaster
        self.seenMicroseconds = seenMicroseconds
    }
}

/// When a site server tells an edge to move to another server of the site (§8.1).
///
/// A server redirects only to a peer that announced itself recently and serves at least
/// `margin` fewer edges: with a margin of 2, moving one edge never makes the peer busier than
/// the server was, so edges do not bounce between two servers.
public struct LoadBalancingRule: Hashable, Sendable {
    /// How much less loaded a peer must be.
    public var margin: Int
    /// Announcements older than this are from a stopped process.
    public var staleAfterMicroseconds: Int64

    public init(margin: Int = 2, staleAfterMicroseconds: Int64 = 5_000_000) {
        self.margin = max(1, margin)
        self.staleAfterMicroseconds = staleAfterMicroseconds
    }

    /// The least loaded fresh peer to send one edge to, or nil to keep it.
    public func redirectTarget(ownURL: String, ownEdges: Int, peers: [SiteServerLoad], nowMicroseconds: Int64) -> String? {
        let candidates = peers.filter { $0.url != ownURL && nowMicroseconds - $0.seenMicroseconds <= staleAfterMicroseconds }
        guard let least = candidates.min(by: { ($0.edges, $0.url) < ($1.edges, $1.url) }) else { return nil }
        return ownEdges - least.edges >= margin ? least.url : nil
    }

    /// The fresh announcements, as a list of live servers.
    public func live(_ servers: [SiteServerLoad], nowMicroseconds: Int64) -> [SiteServerLoad] {
        servers.filter { nowMicroseconds - $0.seenMicroseconds <= staleAfterMicroseconds }
    }
}
