import ArborCore
import ArborStore
import Logging
import ServiceLifecycle

/// A whole site served in this process on a loopback port (demo, benchmarks): its store, its
/// servers and, for a son, its father link.
public final class EmbeddedSite: Sendable {
    public let name: String
    public let store: any SiteStore
    public let url: String
    public let connection: CenterConnection
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(name: String, store: any SiteStore, url: String, connection: CenterConnection, group: ServiceGroup, task: Task<Void, any Error>) {
        self.name = name
        self.store = store
        self.url = url
        self.connection = connection
        self.group = group
        self.task = task
    }

    /// Opens and installs the store, adds `sons` (its son sites' client ids, with the son role)
    /// and `clients` (applications) to its clients table and serves it on 127.0.0.1 with a free
    /// port; `father` makes it a son (its client id there is `name`).
    public static func start(
        name: String, location: DatabaseLocation, schema: DistributionSchema, sons: [String] = [], clients: [String],
        father: (url: String, slice: String)?, logger: Logger
    ) async throws -> EmbeddedSite {
        let store = try await SiteStores.open(StoreConfiguration(location: location, schema: schema, siteName: name), logger: logger)
        do {
            try await store.install(upgradingSchema: false)
            let existing = Set(try await store.clients().map(\.clientId))
            let rows = sons.map { ($0, ClientRole.son) } + clients.map { ($0, ClientRole.application) }
            for (client, role) in rows where !existing.contains(client) { _ = try await store.addClient(id: client, bit: nil, role: role) }
            let connection = CenterConnection(isCenter: father == nil)
            var context = SiteContext.standard(
                settings: SiteServerSettings(), store: store, connectedToCenter: { connection.isConnected }, logger: logger)
            var extra: [any Service] = []
            if let father {
                let settings = FatherLinkSettings(servers: [father.url], clientId: name, slice: father.slice, heartbeatInterval: .seconds(1))
                extra.append(try FatherLink(context: context, settings: settings, connection: connection))
                context.fatherEntities = try FatherEntityLoader(settings: settings, schema: schema, limits: context.settings.limits, logger: logger)
            }
            let (ports, ready) = AsyncStream<Int>.makeStream()
            let service = try SiteApplication(context: context, port: 0, extraServices: extra).makeService { ready.yield($0) }
            let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
            let task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ServerError(.internalError, "site \(name) did not start listening") }
            return EmbeddedSite(name: name, store: store, url: "http://127.0.0.1:\(port)", connection: connection, group: group, task: task)
        } catch {
            await store.close()
            throw error
        }
    }

    /// Stops the servers (gracefully) and closes the store.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await store.close()
    }
}
