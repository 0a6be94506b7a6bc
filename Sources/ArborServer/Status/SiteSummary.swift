/// One site and its subtree, as a son reports it to its father with its link (`POST
/// …/delta/site-report`) and as `arbor tree` prints it. A son behind NAT cannot be asked, so
/// each son sends its summary up; the father keeps the latest one and puts it in its own.
public struct SiteSummary: Codable, Hashable, Sendable {
    public var site: String
    /// The client id the father knows this site by; nil for the root of a report.
    public var clientId: String?
    /// The end of the site's log.
    public var sequence: Int64
    /// Whether its father counts it connected (always true for the root of a report).
    public var connected: Bool
    public var connectedToCenter: Bool
    /// Its lag behind its father, as the father computes it.
    public var lagSequences: Int64?
    public var lagSeconds: Double?
    /// Its log sequences its father has not applied yet.
    public var uploadBacklog: Int64?
    /// Seconds since its father last heard this summary (nil for the root).
    public var reportAgeSeconds: Double?
    public var sons: [SiteSummary]

    public init(
        site: String, clientId: String? = nil, sequence: Int64, connected: Bool, connectedToCenter: Bool, lagSequences: Int64? = nil,
        lagSeconds: Double? = nil, uploadBacklog: Int64? = nil, reportAgeSeconds: Double? = nil, sons: [SiteSummary] = []
    ) {
        self.site = site
        self.clientId = clientId
        self.sequence = sequence
        self.connected = connected
        self.connectedToCenter = connectedToCenter
        self.lagSequences = lagSequences
        self.lagSeconds = lagSeconds
        self.uploadBacklog = uploadBacklog
        self.reportAgeSeconds = reportAgeSeconds
        self.sons = sons
    }

    /// The deepest a reported tree may go and the most sites it may hold: a son sending more is refused.
    public static let maximumDepth = 16
    public static let maximumSites = 4_096

    /// Whether the tree stays within ``maximumDepth`` and ``maximumSites``.
    public var isWithinBounds: Bool {
        var count = 0
        func walk(_ node: SiteSummary, depth: Int) -> Bool {
            count += 1
            guard depth <= Self.maximumDepth, count <= Self.maximumSites else { return false }
            return node.sons.allSatisfy { walk($0, depth: depth + 1) }
        }
        return walk(self, depth: 1)
    }
}

/// The father's answer to a site report: how it sees the son's lag.
public struct SiteReportResponse: Codable, Hashable, Sendable {
    /// Sequences of the father's log the son has not received; nil when the son fetched from
    /// another server process of the father since it started.
    public var lagSequences: Int64?
    public var lagSeconds: Double?
    public var fatherSequence: Int64

    public init(lagSequences: Int64?, lagSeconds: Double?, fatherSequence: Int64) {
        self.lagSequences = lagSequences
        self.lagSeconds = lagSeconds
        self.fatherSequence = fatherSequence
    }
}

/// A son's latest report as its father stores it in site state (`link.son.<id>.report`).
struct StoredSonReport: Codable, Hashable, Sendable {
    var receivedMicroseconds: Int64
    var summary: SiteSummary

    static func key(son clientId: String) -> String { "link.son.\(clientId).report" }
}
