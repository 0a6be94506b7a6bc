import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import Synchronization
import Testing

/// A wall clock that moves only when a test says so (microseconds since 1970).
final class ManualClock: Sendable {
    private let micros: Mutex<Int64>

    init(_ start: Int64 = CacheHarness.epoch) {
        micros = Mutex(start)
    }

    var now: Int64 { micros.withLock { $0 } }
    func set(_ value: Int64) { micros.withLock { $0 = value } }
    func advance(seconds: Int64) { micros.withLock { $0 += seconds * 1_000_000 } }
}

/// Records what the cache server tells the `CacheNotifier` and can abort snapshots.
final class RecordingPlugs: CacheNotifier, ControlAndParams {
    private let log = Mutex<[String]>([])
    private let abort = Mutex(false)

    var events: [String] { log.withLock { $0 } }
    func abortSnapshots(_ value: Bool) { abort.withLock { $0 = value } }

    func subscriptionChanged(clientId: String, slice: TopicsSlice) async { record("subscription \(clientId) \(slice)") }
    func snapshotBegan(clientId: String, sequence: Int64) async { record("began \(clientId) \(sequence)") }
    func snapshotEnded(clientId: String, sequence: Int64, entityCount: Int) async { record("ended \(clientId) \(sequence) \(entityCount)") }
    func statusChanged(subsystem: String, status: String) async {}
    func exceptionalCondition(_ name: String, entered: Bool, detail: String) async {}
    func event(_ name: String, detail: String) async {}
    func count(_ counter: String, by amount: Int) async {}
    func shouldAbortSnapshot(clientId: String) async -> Bool { abort.withLock { $0 } }

    private func record(_ event: String) { log.withLock { $0.append(event) } }
}

/// The store's objects reader, remembering which entities it was asked for.
final class CountingReader: DeltaObjectsReader {
    let store: any SiteStore
    private let asked = Mutex<[EntityKey]>([])

    init(store: any SiteStore) {
        self.store = store
    }

    var requested: [EntityKey] { asked.withLock { $0 } }

    func entities(_ keys: Set<EntityKey>) async throws -> [EntityState] {
        asked.withLock { $0 += keys }
        return try await store.entities(keys)
    }
}

/// Refuses every slice that names `Secret`; writes are not restricted.
struct NoSecretPermit: Permit {
    func permits(clientId: String?, slice: TopicsSlice) async -> Bool { !slice.mentionedTopics.contains("Secret") }
    func writePermit(clientId: String) async -> any EntityWritePermit { UnrestrictedWrites() }
}

/// One cache server on a fresh store, with manual clocks and recording plugs.
struct CacheHarness: Sendable {
    /// 2023-11-14T22:13:20Z, a plausible "now" for entity times.
    static let epoch: Int64 = 1_700_000_000_000_000

    let store: any SiteStore
    let context: SiteContext
    let cache: CacheServer
    /// The entities sub-system's wall clock.
    let writeClock: ManualClock
    /// The cache server's wall clock (time windows of loads).
    let loadClock: ManualClock
    let plugs: RecordingPlugs
    let reader: CountingReader

    /// Runs `body` with a harness on a fresh store of `backend`; the cache is started (it has
    /// read the empty store) unless `start` is false.
    static func with<T>(
        _ backend: TestStores.Backend, settings: SiteServerSettings = SiteServerSettings(), permit: any Permit = AllowAllPermit(),
        start: Bool = true, _ body: (CacheHarness) async throws -> T
    ) async throws -> T {
        try await TestStores.withStore(backend) { store in
            let logger = Logger(label: "arbor.test.cache", factory: { _ in SwiftLogNoOpLogHandler() })
            let writeClock = ManualClock()
            let loadClock = ManualClock()
            let plugs = RecordingPlugs()
            let reader = CountingReader(store: store)
            let context = SiteContext(
                settings: settings, store: store, entities: EntitiesSubsystem(store: store, wallClock: { writeClock.now }),
                logTail: LogTail(store: store, pollInterval: .milliseconds(50), logger: logger), registrations: RegistrationTable(store: store),
                clients: ClientDirectory(store: store, logger: logger), objectsReader: reader, cacheNotifier: plugs, control: plugs,
                permit: permit, connectedToCenter: { true }, logger: logger
            )
            let cache = CacheServer(context: context, clock: { HybridTimestamp(microseconds: loadClock.now) })
            if start { try await cache.start() }
            return try await body(CacheHarness(
                store: store, context: context, cache: cache, writeClock: writeClock, loadClock: loadClock, plugs: plugs, reader: reader
            ))
        }
    }

    /// Adds a client to the clients table and makes the servers see it.
    @discardableResult
    func addClient(_ id: String) async throws -> ClientRecord {
        let record = try await store.addClient(id: id, bit: nil)
        try await context.clients.refresh()
        return record
    }

    /// Applies application writes in one transaction; returns its log sequence.
    @discardableResult
    func write(_ writes: EntityWrite...) async throws -> Int64 {
        try #require(try await context.entities.write(writes).sequence)
    }

    /// Reads the log into the log tail and applies it to the cache (what `run()` does).
    func advance() async throws {
        try await context.logTail.catchUp()
        try await cache.catchUp()
    }

    /// The registration state of `client` on each entity.
    func states(_ client: ClientRecord, _ ids: [UUID]) async throws -> [UUID: RegistrationState] {
        try await context.registrations.states(of: client.bit, on: Set(ids))
    }

    /// Runs `body` while the log tail and the cache server run as services.
    func whileRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await context.logTail.run() }
            group.addTask { try await cache.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Waits (up to 60 s, for a loaded machine) until the cache reflects `sequence`.
    func waitForCache(_ sequence: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while cache.sequence < sequence {
            guard ContinuousClock.now < deadline else {
                Issue.record("the cache stayed at \(cache.sequence), expected \(sequence)")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The tech-ids of a load answer's create-deltas.
func ids(_ answer: DeltaBatch) -> Set<UUID> { Set(answer.deltas.map(\.techId)) }

/// Customer `n` with topics `topics`.
func customer(_ n: Int, _ topics: String..., inCache: Bool = true, name: String = "Ada") -> EntityWrite {
    Samples.customerCreate(id: Fixtures.id(n), name: name, topics: try! TopicsList(topics), inCache: inCache)
}

/// Expects `body` to throw a ``ServerError`` with `code`; returns it.
@discardableResult
func expectServerError(
    _ code: ArborErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> ServerError? {
    do {
        try await body()
        Issue.record("expected \(code), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ServerError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected ServerError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
