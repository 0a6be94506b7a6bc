import Foundation

/// What `GET /arbor/{instance}/status.json` answers (and the status page shows): one site as
/// this server process sees it, computed from the store, the link state and the process's
/// recent activity. Times are wall-clock microseconds; ages are seconds before `generatedAtMicroseconds`.
public struct SiteStatusReport: Codable, Hashable, Sendable {
    public var site: String
    public var instance: String
    public var schemaName: String
    /// `arbor 0.1.0 (protocol N)`.
    public var version: String
    public var generatedAtMicroseconds: Int64
    /// The end of the site's log.
    public var sequence: Int64
    public var connectedToCenter: Bool
    /// Whether this process holds the site's master role (it runs the father link).
    public var isMaster: Bool
    /// The link to the father; nil at the center and at a site without one.
    public var father: FatherStatus?
    /// Every client of the son role, connected or not.
    public var sons: [SonStatus]
    /// The site's server processes as they announce themselves (§8.1).
    public var servers: [ServerProcessStatus]
    /// Clients that fetched from this process recently, with their slices.
    public var connectedClients: [ConnectedClientStatus]
    /// The clients table.
    public var clients: [ClientRowStatus]
    /// The latest errors of this process, newest last.
    public var recentErrors: [RecentErrorStatus]
    /// Per link (`father`, `son <id>`), the lag sampled every few seconds, oldest first.
    public var lagHistory: [LagSeries]
    /// This site and the subtree below it as its sons report it.
    public var tree: SiteSummary

    /// The father link as the son sees it.
    public struct FatherStatus: Codable, Hashable, Sendable {
        public var servers: [String]
        public var clientId: String
        /// `connected`, `disconnected`, `refused: …`, or `run by the master process` in another process.
        public var state: String
        public var connected: Bool
        /// Whether the link runs in this process (only the master's does).
        public var linkRunsHere: Bool
        public var lastContactSecondsAgo: Double?
        /// The father sequence this site has applied through.
        public var appliedSequence: Int64?
        /// The father's lag figures for this site, as it last answered them.
        public var lagSequences: Int64?
        public var lagSeconds: Double?
        /// This site's log sequences the father has not acknowledged yet.
        public var uploadBacklog: Int64?
    }

    /// One son as its father sees it.
    public struct SonStatus: Codable, Hashable, Sendable {
        public var clientId: String
        /// The son's own site name, from its reports.
        public var site: String?
        public var enabled: Bool
        public var connected: Bool
        public var lastContactSecondsAgo: Double?
        /// Sequences of this site's log the son has not received yet.
        public var lagSequences: Int64?
        /// Seconds since the son last had all of this site's log (0 while it follows).
        public var lagSeconds: Double?
        /// Sequences of the son's log this site has not applied yet (from its reports).
        public var uploadBacklog: Int64?
        public var reportAgeSeconds: Double?
    }

    /// One server process of the site.
    public struct ServerProcessStatus: Codable, Hashable, Sendable {
        public var url: String
        public var edges: Int
        /// Only a live process counts as master.
        public var isMaster: Bool
        public var isLive: Bool
        public var lastSeenSecondsAgo: Double
    }

    /// A client that fetched from this process recently.
    public struct ConnectedClientStatus: Codable, Hashable, Sendable {
        public var clientId: String
        public var role: String
        public var slice: String
        public var registered: Bool
        /// Long polls open now.
        public var openFetches: Int
        public var lastFetchSecondsAgo: Double
        public var lagSequences: Int64
        public var lagSeconds: Double?
    }

    /// One row of the clients table.
    public struct ClientRowStatus: Codable, Hashable, Sendable {
        public var clientId: String
        public var bit: Int
        public var role: String
        public var enabled: Bool
        public var hasSecret: Bool
        /// The last authenticated request to this process; nil when none since it started.
        public var lastSeenSecondsAgo: Double?
    }

    /// One recent error.
    public struct RecentErrorStatus: Codable, Hashable, Sendable {
        public var secondsAgo: Double
        public var source: String
        public var code: String
        public var message: String
        public var count: Int
    }

    /// The lag of one link over time.
    public struct LagSeries: Codable, Hashable, Sendable {
        public var link: String
        /// `[secondsAgo, sequences, seconds or null]`, oldest first.
        public var points: [LagPoint]
    }

    /// One sample.
    public struct LagPoint: Codable, Hashable, Sendable {
        public var secondsAgo: Double
        public var sequences: Int64
        public var seconds: Double?
    }
}
