import ArborEdge

/// How a replica finds its father on the local network (Docs/discovery.md): at open, and again
/// every ``retryInterval`` while it is not connected, it asks with ``finder``; the URLs found
/// join the configured father servers (after them), and the link starts or moves to them.
public struct ReplicaDiscovery: Sendable {
    public var finder: SiteFinder
    /// The instance in the father's URLs.
    public var instance: String
    /// The father's site name; nil takes any site of the instance and schema (one branch per network).
    public var fatherSite: String?
    /// How often discovery asks again while the replica is not connected to its father.
    public var retryInterval: Duration

    public init(finder: SiteFinder = SiteFinder(), instance: String = "1", fatherSite: String? = nil, retryInterval: Duration = .seconds(10)) {
        self.finder = finder
        self.instance = instance
        self.fatherSite = fatherSite
        self.retryInterval = retryInterval
    }

    /// The URLs of the father sites found now: those connected to the center first.
    func fatherServers(schema: String) async throws(DiscoveryError) -> [String] {
        let found = try await finder.find(instance: instance, schema: schema).filter { fatherSite == nil || $0.site == fatherSite }
        let ordered = found.filter(\.connectedToCenter) + found.filter { !$0.connectedToCenter }
        return ordered.flatMap(\.servers)
    }
}
