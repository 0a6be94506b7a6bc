import ArborStore
import Logging
import ServiceLifecycle

/// The parts that let several server processes serve one site (§8.1): the master role, which
/// runs `masterDuties` (the father link) in one process only, load balancing, and (for a
/// site with a father) sharing the link's state so every process reports it.
public struct SiteScaling: Sendable {
    public let masterRole: MasterRole
    public let balancer: SiteBalancer
    /// Shares the father link's state between the processes; nil without a father link.
    public let centerLinkShare: CenterLinkShare?

    /// Creates them and wires them into `context` (status pages and redirects read them there).
    ///
    /// - Parameter centerConnection: the connection the father link among `masterDuties` sets;
    ///   given, every process reports the master's link state (``CenterLinkShare``).
    public init(
        context: inout SiteContext, masterDuties: [any Service], advertisedURL: String?, masterRetryInterval: Duration = .seconds(1),
        centerConnection: CenterConnection? = nil
    ) {
        let masterRole = MasterRole(
            lock: context.store.masterLock(), duties: masterDuties, siteName: context.siteName, retryInterval: masterRetryInterval, logger: context.logger
        )
        balancer = SiteBalancer(store: context.store, ownURL: advertisedURL, isMaster: { masterRole.isMaster }, logger: context.logger)
        self.masterRole = masterRole
        centerLinkShare = centerConnection.map {
            CenterLinkShare(store: context.store, connection: $0, isMaster: { masterRole.isMaster }, logger: context.logger)
        }
        context.balancer = balancer
        context.isMaster = { masterRole.isMaster }
    }

    /// The services to run next to the HTTP server.
    public var services: [any Service] { [masterRole, balancer] + (centerLinkShare.map { [$0] } ?? []) }

    /// The URL edges reach a listener at, or nil when `host` is a wildcard address (then the
    /// operator must set `advertisedURL` for the process to take part in balancing).
    public static func listenerURL(scheme: String, host: String, port: Int) -> String? {
        guard !["0.0.0.0", "::", "[::]", "*"].contains(host) else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
