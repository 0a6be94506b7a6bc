import ArborCore
import ArborServer
import Foundation

/// What a ``Replica`` opens: a local SQLite leaf site of `slice` whose father is one of `fatherServers`.
public struct ReplicaConfiguration: Sendable {
    /// The SQLite file of the replica (created with the same steps as `arbor init` when missing).
    public var databasePath: String
    public var schema: DistributionSchema
    /// This site's name (also its client id at the father unless `link` says otherwise).
    public var siteName: String
    /// The father's server URLs, tried in order; may be empty with ``discovery``.
    public var fatherServers: [String]
    public var slice: String
    public var settings: SiteServerSettings
    /// Link settings; nil: the defaults for `fatherServers`, `siteName` and `slice`.
    public var link: FatherLinkSettings?
    /// Finding the father on the local network (Docs/discovery.md); nil: only ``fatherServers``.
    public var discovery: ReplicaDiscovery?
    /// An HTTP listener serving the replica's data to edges (delta and cache servers, as a
    /// site's); nil: none, the application reads through the ``Replica`` only.
    public var listener: ReplicaListener?

    public init(
        databasePath: String, schema: DistributionSchema, siteName: String, fatherServers: [String], slice: String,
        settings: SiteServerSettings = SiteServerSettings(), link: FatherLinkSettings? = nil, discovery: ReplicaDiscovery? = nil
    ) {
        self.discovery = discovery
        self.databasePath = databasePath
        self.schema = schema
        self.siteName = siteName
        self.fatherServers = fatherServers
        self.slice = slice
        self.settings = settings
        self.link = link
    }

    /// `link`, or the defaults for `fatherServers`, `siteName` and `slice`: a start for settings
    /// to change (a secret, TLS roots).
    public var linkSettingsOrDefault: FatherLinkSettings {
        link ?? FatherLinkSettings(servers: fatherServers, clientId: siteName, slice: slice)
    }
}

/// Where a replica serves edges over HTTP (plain HTTP: for the application's own machine or a
/// trusted network; clients authenticate against the replica's clients table, or
/// `SiteServerSettings.allowAnonymousReads` lets unnamed edges read).
public struct ReplicaListener: Sendable {
    public var host: String
    /// 0 picks a free port, given to ``onListening``.
    public var port: Int
    public var onListening: @Sendable (Int) async -> Void

    public init(host: String = "127.0.0.1", port: Int, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.onListening = onListening
    }
}
