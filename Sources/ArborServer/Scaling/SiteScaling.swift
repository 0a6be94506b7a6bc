import ArborStore
import Logging
import ServiceLifecycle

/// The parts that let several server processes serve one site (§8.1): the master role, which
/// runs `masterDuties` (the father link) in one process only, and load balancing.
public struct SiteScaling: Sendable {
    public let masterRole: MasterRole
    public let balancer: SiteBalancer

    /// Creates both and wires them into `context` (status pages and redirects read them there).
    public init(context: inout SiteContext, masterDuties: [any Service], advertisedURL: String?, masterRetryInterval: Duration = .seconds(1)) {
        let masterRole = MasterRole(
            lock: context.store.masterLock(), duties: masterDuties, siteName: context.siteName, retryInterval: masterRetryInterval, logger: context.logger
        )
        balancer = SiteBalancer(store: context.store, ownURL: advertisedURL, isMaster: { masterRole.isMaster }, logger: context.logger)
        self.masterRole = masterRole
        context.balancer = balancer
        context.isMaster = { masterRole.isMaster }
    }

    /// The services to run next to the HTTP server.
    public var services: [any Service] { [masterRole, balancer] }

    /// The URL edges reach a listener at, or nil when `host` is a wildcard address (then the
    /// operator must set `advertisedURL` for the process to take part in balancing).
    public static func listenerURL(scheme: String, host: String, port: Int) -> String? {
        guard !["0.0.0.0", "::", "[::]", "*"].contains(host) else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
