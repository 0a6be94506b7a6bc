import ArborCore
import ArborReplica
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Where a father site's data lives: an SQLite file or a PostgreSQL table prefix (issue 14: the
/// replica against either backend), kept across the father's restarts.
struct FatherDatabase: Sendable {
    let place: TestStores.Place
    let prefix: TablePrefix

    static func make(_ backend: TestStores.Backend) throws -> FatherDatabase {
        FatherDatabase(place: try TestStores.place(backend), prefix: TestStores.randomPrefix())
    }

    /// Drops the father's tables (and the SQLite file).
    func remove() async {
        guard let store = try? await TestStores.open(place, prefix: prefix) else { return }
        await TestStores.remove(store, place)
    }
}

/// A center served in-process on a loopback port, restartable on the same database and port.
final class FatherSite: Sendable {
    let database: FatherDatabase
    let port: Int
    let store: any SiteStore
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }

    private init(database: FatherDatabase, port: Int, store: any SiteStore, group: ServiceGroup, task: Task<Void, any Error>) {
        self.database = database
        self.port = port
        self.store = store
        self.group = group
        self.task = task
    }

    /// Starts the center on `database` (installed when new) with son client `son`, on `port`
    /// (0: any); with `announcePort`, it answers discovery queries on that loopback UDP port.
    static func start(database: FatherDatabase, port: Int = 0, son: String = "b1", announcePort: Int? = nil) async throws -> FatherSite {
        let logger = Logger(label: "test.father", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await TestStores.open(database.place, prefix: database.prefix)
        if try await store.clients().allSatisfy({ $0.clientId != son }) { _ = try await store.addClient(id: son, bit: nil, role: .son) }
        let context = SiteContext.standard(settings: SiteServerSettings(), store: store, connectedToCenter: { true }, logger: logger)
        let (ports, ready) = AsyncStream<Int>.makeStream()
        let service = try SiteApplication(context: context, port: port).makeService { ready.yield($0) }
        let ownURL = Mutex<[String]>([])
        var services: [any Service] = [service]
        if let announcePort {
            services.append(SiteAnnouncer(
                host: "127.0.0.1", port: announcePort, instance: "1", schema: Fixtures.retailSchema.name, siteName: "center",
                servers: { ownURL.withLock { $0 } }, connectedToCenter: { true }, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw TestStoreError("father did not start listening") }
        ownURL.withLock { $0 = ["http://127.0.0.1:\(bound)"] }
        return FatherSite(database: database, port: bound, store: store, group: group, task: task)
    }

    /// Writes at the father through its entities subsystem.
    func write(_ writes: [EntityWrite]) async throws {
        try await EntitiesSubsystem(store: store, limits: WriteLimits()).write(writes)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await store.close()
    }

    func restart() async throws -> FatherSite {
        await stop()
        return try await FatherSite.start(database: database, port: port)
    }
}

func temporarySQLitePath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("arbor-replica-\(name)-\(UUID().uuidString).sqlite").path
}

func removeSQLite(_ path: String) {
    let directory = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
    for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasPrefix(name) {
        try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(file))
    }
}

/// A replica `b1` of slice `A` on `path` with short link waits; `father` nil: only `discovery`.
func replicaConfiguration(path: String, father: String?, discovery: ReplicaDiscovery? = nil) -> ReplicaConfiguration {
    let servers = father.map { [$0] } ?? []
    return ReplicaConfiguration(
        databasePath: path, schema: Fixtures.retailSchema, siteName: "b1", fatherServers: servers, slice: "A",
        link: FatherLinkSettings(
            servers: servers, clientId: "b1", slice: "A", fetchWait: .seconds(2), retryBackoff: .milliseconds(100),
            heartbeatInterval: .milliseconds(500), refusedRetryInterval: .milliseconds(500), requestTimeout: .seconds(5)
        ),
        discovery: discovery
    )
}

/// Polls `condition` until it holds, failing after `timeout` with `what`.
func eventually(_ what: String, timeout: Duration = .seconds(90), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw TestStoreError("timed out after \(timeout): \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
