import ArborCore
import ArborStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// One site's server process: the HTTP API over the delta and/or cache server, with the log
/// tail and the clients watcher, run as services with graceful shutdown (STYLE.md practice 7).
public struct SiteApplication: Sendable {
    /// Which servers this process runs (§7.1).
    public struct Servers: OptionSet, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let delta = Servers(rawValue: 1)
        public static let cache = Servers(rawValue: 2)
        public static let both: Servers = [.delta, .cache]
    }

    public let context: SiteContext
    public let servers: Servers
    public let host: String
    public let port: Int
    /// More long-running parts of the site, such as the link to its father.
    public let extraServices: [any Service]
    /// The listener's TLS configuration; nil serves plain HTTP (in-process sites and tests;
    /// `arbor serve` requires it unless plain HTTP is configured explicitly).
    public let tls: TLSConfiguration?
    /// Bounds on connections, idle sockets, headers and request bodies (issue 11 items 5, 6).
    public let sockets: SocketLimits

    public init(
        context: SiteContext, servers: Servers = .both, host: String = "127.0.0.1", port: Int, extraServices: [any Service] = [],
        tls: TLSConfiguration? = nil, sockets: SocketLimits = SocketLimits()
    ) {
        self.sockets = sockets
        self.context = context
        self.servers = servers
        self.host = host
        self.port = port
        self.extraServices = extraServices
        self.tls = tls
    }

    /// The application as one `Service`: the HTTP server with the site's services inside.
    /// `onRunning` receives the bound port (useful with port 0).
    public func makeService(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws(ServerError) -> some Service {
        guard let paths = ServicePaths(instance: context.settings.instance) else {
            throw ServerError(.badRequest, "instance '\(context.settings.instance)' must be 1-32 letters, digits, '-' or '_'")
        }
        let delta = servers.contains(.delta) ? DeltaServer(context: context) : nil
        let cache = servers.contains(.cache) ? CacheServer(context: context) : nil
        let router = Router(context: ArborRequestContext.self)
        SiteRoutes(context: context, paths: paths, delta: delta, cache: cache, bodyBudget: RequestBodyBudget(capacity: sockets.requestBodyBudgetBytes))
            .install(on: router)
        // A removed client's fetch acknowledgement needs no forgetting: the client must load or
        // register again before a registered fetch, and both reset it in the store.
        let watcher = ClientWatcher(clients: context.clients, registrations: context.registrations, logger: context.logger)
        var services: [any Service] = [context.logTail, context.clients, watcher, StatusSampler(context: context)]
        if let cache { services.append(cache) }
        services += extraServices
        let server: HTTPServerBuilder
        do { server = try guardedServer() } catch {
            throw ServerError(.invalidConfiguration, "TLS configuration unusable: \(error)")
        }
        var application = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "arbor/\(context.siteName)"),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: context.logger
        )
        let context = context
        application.beforeServerStarts {
            // Serve nothing until the clients table, the log and the cache are read.
            try await context.clients.refresh()
            try await context.logTail.catchUp()
            try await cache?.start()
        }
        return application
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully (open long polls end promptly).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [try makeService(onRunning: onRunning)], gracefulShutdownSignals: [.sigterm, .sigint], logger: context.logger
            )
        )
        try await group.run()
    }
}
