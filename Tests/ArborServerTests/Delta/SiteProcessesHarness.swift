import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import Testing

/// Two server processes of one site, in one test process: each has its own store connection,
/// log tail, registrations cache, delta server and cache server, and they share only the
/// database (§8.1) — what `arbor serve` twice on one database shares. Nothing runs in the
/// background: a log tail reads only when a test or a server asks it to.
struct SiteProcessesHarness {
    struct Process {
        let store: any SiteStore
        let context: SiteContext
        let delta: DeltaServer
        let cache: CacheServer
    }

    let first: Process
    let second: Process

    /// Runs `body` with a fresh site of `backend` whose clients table holds `clients`.
    static func with(
        _ backend: TestStores.Backend, clients: [String], _ body: (SiteProcessesHarness) async throws -> Void
    ) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let firstStore = try await TestStores.open(place, prefix: prefix)
        let secondStore: any SiteStore
        do {
            secondStore = try await TestStores.open(place, prefix: prefix)
        } catch {
            await TestStores.remove(firstStore, place)
            throw error
        }
        do {
            for client in clients { _ = try await firstStore.addClient(id: client, bit: nil) }
            let site = SiteProcessesHarness(first: try await process(firstStore), second: try await process(secondStore))
            try await body(site)
        } catch {
            await secondStore.close()
            await TestStores.remove(firstStore, place)
            throw error
        }
        await secondStore.close()
        await TestStores.remove(firstStore, place)
    }

    private static func process(_ store: any SiteStore) async throws -> Process {
        let logger = Logger(label: "arbor.test.processes", factory: { _ in SwiftLogNoOpLogHandler() })
        // These tests fetch unregistered without a client: the site allows anonymous reads.
        var settings = SiteServerSettings()
        settings.allowAnonymousReads = true
        let context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { true }, logger: logger)
        try await context.clients.refresh()
        try await context.logTail.catchUp()
        let cache = CacheServer(context: context)
        try await cache.start()
        return Process(store: store, context: context, delta: DeltaServer(context: context), cache: cache)
    }

    /// Lets both log tails read what was committed (for tests about something else than read-your-writes).
    func catchUp() async throws {
        try await first.context.logTail.catchUp()
        try await second.context.logTail.catchUp()
    }

    /// Appends at `process` and returns the acknowledged sequence; no log tail is told.
    func append(at process: Process, _ writes: EntityWrite...) async throws -> Int64 {
        try #require(try await process.delta.append(writes, client: .local).sequence)
    }

    /// A registered fetch at `process` that does not wait.
    func fetch(at process: Process, _ clientId: String, from sequence: Int64, slice: String) async throws -> DeltaBatch {
        try await process.delta.fetch(
            client: process.delta.inProcessClient(clientId), request: FetchRequest(fromSequence: sequence, slice: slice, registered: true, waitMilliseconds: 0))
    }

    /// The persisted state of `clientId` on Customer `n`, as `process` reads it.
    func registration(_ clientId: String, on n: Int, at process: Process) async throws -> RegistrationState {
        let bit = try #require(process.context.clients.client(clientId)?.bit)
        return try #require(try await process.context.registrations.states(of: bit, on: [Fixtures.id(n)])[Fixtures.id(n)])
    }
}

/// Customer `n`'s create with `topics`, and a rename (an update: PARTIAL then FULL).
enum CustomerWrites {
    static func create(_ n: Int, topics: String...) throws -> EntityWrite {
        Samples.customerCreate(id: Fixtures.id(n), topics: try TopicsList(topics))
    }

    static func rename(_ n: Int, to name: String) -> EntityWrite {
        EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(n), fields: ["name": .text(name)])
    }
}
