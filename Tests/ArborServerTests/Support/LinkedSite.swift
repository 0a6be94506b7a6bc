import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Records what a site reports through `ControlAndParams` (statuses and counters).
final class RecordingControl: ControlAndParams {
    private let recorded = Mutex<[(subsystem: String, status: String)]>([])

    /// Every status change of `subsystem`, in order.
    func statuses(of subsystem: String) -> [String] {
        recorded.withLock { $0.filter { $0.subsystem == subsystem }.map(\.status) }
    }

    func statusChanged(subsystem: String, status: String) async {
        recorded.withLock { $0.append((subsystem, status)) }
    }

    func exceptionalCondition(_ name: String, entered: Bool, detail: String) async {}
    func event(_ name: String, detail: String) async {}
    func count(_ counter: String, by amount: Int) async {}
    func shouldAbortSnapshot(clientId: String) async -> Bool { false }
}

/// A site served in-process on a loopback port, optionally linked to a father, restartable on
/// the same store and port; always stopped by `stop()`.
final class LinkedSite: Sendable {
    let store: any SiteStore
    let place: TestStores.Place
    let context: SiteContext
    let connection: CenterConnection
    let control: RecordingControl
    let link: FatherLink?
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(
        store: any SiteStore, place: TestStores.Place, context: SiteContext, connection: CenterConnection, control: RecordingControl,
        link: FatherLink?, port: Int, group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.store = store
        self.place = place
        self.context = context
        self.connection = connection
        self.control = control
        self.link = link
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts a site on a fresh store of `backend` (or `reuse`, a restart), on `port` (0: any),
    /// linked to a father when `father` is given.
    static func start(
        _ backend: TestStores.Backend, siteName: String = "center", schema: DistributionSchema = Fixtures.retailSchema, port: Int = 0,
        settings: SiteServerSettings = SiteServerSettings(), reuse: (place: TestStores.Place, prefix: TablePrefix)? = nil,
        father: FatherLinkSettings? = nil, sons: [String] = [], clients: [String] = []
    ) async throws -> LinkedSite {
        let place = try reuse?.place ?? TestStores.place(backend)
        let store = try await TestStores.open(place, schema: schema, prefix: reuse?.prefix ?? TestStores.randomPrefix(), siteName: siteName)
        do {
            // Every linked site also has the application writer of `Scenario` (writes need a client, issue 11).
            // Its son sites' links upload, so they are added with the son role (issue 11 item 3).
            let rows = sons.map { ($0, ClientRole.son) } + (clients + [TreeSite.appClient]).map { ($0, ClientRole.application) }
            for (client, role) in rows where try await store.clients().allSatisfy({ $0.clientId != client }) {
                _ = try await store.addClient(id: client, bit: nil, role: role)
            }
            // ARBOR_TEST_LOG=debug (or another level) shows the sites' logs when a test fails.
            let logger = Logger(label: "test.\(siteName)", factory: { label in
                guard let level = ProcessInfo.processInfo.environment["ARBOR_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) else {
                    return SwiftLogNoOpLogHandler()
                }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            })
            let connection = CenterConnection(isCenter: siteName == "center")
            let control = RecordingControl()
            var context = SiteContext(
                settings: settings, store: store, entities: EntitiesSubsystem(store: store, limits: settings.limits),
                logTail: LogTail(store: store, maximumBufferBytes: settings.limits.maximumTransactionBytes, logger: logger), registrations: RegistrationTable(store: store),
                clients: ClientDirectory(store: store, logger: logger), objectsReader: StoreObjectsReader(store: store),
                cacheNotifier: LoggingPlugs(logger: logger), control: control, permit: AllowAllPermit(),
                connectedToCenter: { connection.isConnected }, logger: logger
            )
            let link = try father.map { try FatherLink(context: context, settings: $0, connection: connection) }
            if let father { context.fatherEntities = try FatherEntityLoader(settings: father, schema: schema, limits: settings.limits, logger: logger) }
            let (ports, portContinuation) = AsyncStream<Int>.makeStream()
            let service = try SiteApplication(context: context, port: port, extraServices: link.map { [$0] } ?? [])
                .makeService { port in portContinuation.yield(port) }
            let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
            let task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw TestStoreError("site \(siteName) did not start listening") }
            return LinkedSite(store: store, place: place, context: context, connection: connection, control: control, link: link, port: bound, group: group, task: task)
        } catch {
            if reuse == nil { await TestStores.remove(store, place) } else { await store.close() }
            throw error
        }
    }

    /// Restarts the site on its store and port (with a new link when `father` is given).
    func restart(father: FatherLinkSettings? = nil) async throws -> LinkedSite {
        await stop(keepData: true)
        return try await LinkedSite.start(place.backend, siteName: store.siteName, schema: store.schema, port: port, reuse: (place, store.prefix), father: father)
    }

    /// Stops serving; with `keepData` the store's tables stay for a restart.
    func stop(keepData: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        if keepData {
            await store.close()
        } else {
            await TestStores.remove(store, place)
        }
    }

    // MARK: Data

    /// The entity `id` (a Customer) as this site holds it.
    func customer(_ id: UUID) async throws -> EntityState? {
        try await store.entities([EntityKey("Customer", id)]).first
    }

    /// A field value of Customer `id`, nil when the site lacks the entity or the field.
    func field(_ name: String, of id: UUID) async throws -> FieldValue? {
        try await customer(id)?.fields[name]?.value
    }

    /// Creates Customer `id` at this site.
    @discardableResult
    func create(_ id: UUID, name: String, topics: String = ",A,") async throws -> Int64? {
        try await context.entities.write([Samples.customerCreate(id: id, name: name, topics: try TopicsList(parsing: topics))]).sequence
    }

    /// Updates fields of Customer `id` at this site.
    @discardableResult
    func update(_ id: UUID, _ fields: [String: FieldValue]) async throws -> Int64? {
        try await context.entities.write([EntityWrite(.update, entityClass: "Customer", techId: id, fields: fields)]).sequence
    }

    /// A site counter (a link position).
    func position(_ key: String) async throws -> Int64? {
        try await store.siteCounter(key)
    }

    /// Every delta of this site's log, in order.
    func loggedDeltas() async throws -> [Delta] {
        try Samples.loggedDeltas(try await store.readLog(after: 0, limit: 100_000), schema: store.schema).flatMap { $0 }
    }
}

/// Link settings for tests: short waits so failures show quickly.
func testLinkSettings(father: String, clientId: String = "b1", slice: String = "A") -> FatherLinkSettings {
    FatherLinkSettings(
        servers: [father], clientId: clientId, slice: slice, fetchWait: .seconds(2), retryBackoff: .milliseconds(100),
        heartbeatInterval: .milliseconds(500), refusedRetryInterval: .milliseconds(500), requestTimeout: .seconds(5)
    )
}

/// Polls `condition` until it holds, failing after `timeout` with `what`.
func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw TestStoreError("timed out after \(timeout): \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A father (`fatherBackend`, client `b1` in its clients table) and a linked SQLite son, which
/// tests may stop and restart; `stopAll()` stops whatever runs.
final class LinkedPair: Sendable {
    private struct Sites {
        var father: LinkedSite
        var son: LinkedSite
        var fatherRunning = true
        var sonRunning = true
    }

    private let sites: Mutex<Sites>
    /// The relay between son and father, when the pair has one.
    let relay: TCPRelay?
    /// The father URL the son's link uses.
    let fatherURL: String

    var father: LinkedSite { sites.withLock { $0.father } }
    var son: LinkedSite { sites.withLock { $0.son } }

    private init(father: LinkedSite, son: LinkedSite, relay: TCPRelay?, fatherURL: String) {
        sites = Mutex(Sites(father: father, son: son))
        self.relay = relay
        self.fatherURL = fatherURL
    }

    /// Starts a father, runs `beforeSon` on it, then starts the son; with `throughRelay` the
    /// son reaches the father through a ``TCPRelay`` that tests can cut.
    static func start(
        father fatherBackend: TestStores.Backend, sonSchema: DistributionSchema = Fixtures.retailSchema, throughRelay: Bool = false,
        settings: SiteServerSettings = SiteServerSettings(), beforeSon: (LinkedSite) async throws -> Void = { _ in }
    ) async throws -> LinkedPair {
        let father = try await LinkedSite.start(fatherBackend, siteName: "center", settings: settings, sons: ["b1"])
        var relay: TCPRelay?
        do {
            try await beforeSon(father)
            if throughRelay { relay = try await TCPRelay.start(to: father.port) }
            let url = relay.map { "http://127.0.0.1:\($0.port)" } ?? father.baseURL
            let son = try await LinkedSite.start(.sqlite, siteName: "branch1", schema: sonSchema, settings: settings, father: testLinkSettings(father: url))
            return LinkedPair(father: father, son: son, relay: relay, fatherURL: url)
        } catch {
            await relay?.stop()
            await father.stop()
            throw error
        }
    }

    /// Stops the father, keeping its data and port for `startFather()`.
    func stopFather() async {
        let father = sites.withLock { $0.fatherRunning = false; return $0.father }
        await father.stop(keepData: true)
    }

    /// Starts the stopped father again on its store and port.
    func startFather() async throws {
        let old = father
        let new = try await LinkedSite.start(
            old.place.backend, siteName: old.store.siteName, port: old.port, reuse: (old.place, old.store.prefix)
        )
        sites.withLock { $0.father = new; $0.fatherRunning = true }
    }

    /// Restarts the son on its store with a new link to the father.
    func restartSon() async throws {
        let old = sites.withLock { $0.sonRunning = false; return $0.son }
        await old.stop(keepData: true)
        let new = try await LinkedSite.start(
            .sqlite, siteName: old.store.siteName, schema: old.store.schema, reuse: (old.place, old.store.prefix),
            father: testLinkSettings(father: fatherURL)
        )
        sites.withLock { $0.son = new; $0.sonRunning = true }
    }

    /// Stops both sites and removes their data (a stopped father's too).
    func stopAll() async {
        let state = sites.withLock { $0 }
        await relay?.stop()
        if state.sonRunning { await state.son.stop() } else { await Self.remove(state.son) }
        if state.fatherRunning { await state.father.stop() } else { await Self.remove(state.father) }
    }

    /// Runs `body` with a started pair and always stops it.
    static func run(
        father: TestStores.Backend, sonSchema: DistributionSchema = Fixtures.retailSchema, throughRelay: Bool = false,
        settings: SiteServerSettings = SiteServerSettings(), beforeSon: (LinkedSite) async throws -> Void = { _ in },
        _ body: (LinkedPair) async throws -> Void
    ) async throws {
        let pair = try await start(father: father, sonSchema: sonSchema, throughRelay: throughRelay, settings: settings, beforeSon: beforeSon)
        do {
            try await body(pair)
        } catch {
            await pair.stopAll()
            throw error
        }
        await pair.stopAll()
    }

    private static func remove(_ site: LinkedSite) async {
        if let store = try? await TestStores.open(site.place, schema: site.store.schema, prefix: site.store.prefix, siteName: site.store.siteName) {
            await TestStores.remove(store, site.place)
        }
    }
}
