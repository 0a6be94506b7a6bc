import ArborCore
import ArborServer
import ArborStore
import Foundation
import Logging
import ServiceLifecycle

/// An offline-first replica: a local SQLite leaf site run in this process (log tail, clients,
/// father link; no HTTP listener), read and written locally, synchronized by the ordinary
/// ``FatherLink`` whenever the father is reachable.
public final class Replica: Sendable {
    public let store: any SiteStore
    let context: SiteContext
    let link: FatherLink
    let connection: CenterConnection
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(
        store: any SiteStore, context: SiteContext, link: FatherLink, connection: CenterConnection,
        group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.store = store
        self.context = context
        self.link = link
        self.connection = connection
        self.group = group
        self.task = task
    }

    /// Opens (creating when missing, as `arbor init` does) the replica's database and starts its
    /// services; works without the father, which it joins when reachable.
    public static func open(_ configuration: ReplicaConfiguration, logger: Logger = Logger(label: "arbor.replica")) async throws -> Replica {
        let location = DatabaseLocation.sqlite(path: configuration.databasePath)
        let store = try await SiteStores.open(
            StoreConfiguration(location: location, schema: configuration.schema, siteName: configuration.siteName), logger: logger)
        do {
            try await store.install(upgradingSchema: false)
            if try await SiteIncarnation.rejoinIfPending(in: store, uploadedCounter: FatherLink.uploadedKey) == nil {
                _ = try await SiteIncarnation.ensure(in: store)
            }
            let connection = CenterConnection(isCenter: false)
            let settings = configuration.settings
            var context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { connection.isConnected }, logger: logger)
            let linkSettings = configuration.linkSettingsOrDefault
            let link = try FatherLink(context: context, settings: linkSettings, connection: connection)
            context.fatherEntities = try FatherEntityLoader(
                settings: linkSettings, schema: configuration.schema, limits: settings.limits, logger: logger)
            try await context.clients.refresh()
            try await context.logTail.catchUp()
            let group = ServiceGroup(configuration: .init(services: [context.logTail, context.clients, link], logger: logger))
            let task = Task { try await group.run() }
            return Replica(store: store, context: context, link: link, connection: connection, group: group, task: task)
        } catch {
            await store.close()
            throw error
        }
    }

    /// Stops the link and the log tail (gracefully) and closes the database.
    public func close() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await store.close()
    }

    // MARK: Reads

    /// The entity `id` of `entityClass`, nil when this replica lacks it.
    public func entity(_ entityClass: String, _ id: UUID) async throws -> EntityState? {
        try await store.entities([EntityKey(entityClass, id)]).first
    }

    /// Every live entity of `entityClass` this replica holds, those `slice` selects when given.
    public func entities(ofClass entityClass: String, selectedBy slice: TopicsSlice? = nil) async throws -> [EntityState] {
        let snapshot = try await store.snapshot()
        let whole = snapshot.entities.filter { $0.entityClass == entityClass }
        let others = Set(snapshot.headers.filter { $0.key.entityClass == entityClass && !$0.isDeleted }.map(\.key))
        let loaded = others.isEmpty ? [] : try await store.entities(others)
        return (whole + loaded).filter { state in
            !state.isDeleted && (slice?.selectsInSteadyState(state.topics) ?? true)
        }
    }

    // MARK: Writes

    /// Writes through the site's entities subsystem (merge, hybrid clock, per-field times):
    /// durable and visible at once, uploaded by the link; returns the local log sequence.
    @discardableResult
    public func write(_ writes: [EntityWrite]) async throws -> Int64? {
        try await context.entities.write(writes).sequence
    }

    // MARK: Changes and status

    /// The transactions of the local log after `sequence` (from the father or local writes),
    /// as they commit; ends when the replica closes or the consuming task is cancelled.
    public func changes(after sequence: Int64? = nil) -> AsyncThrowingStream<DeltaBuffer, any Error> {
        let logTail = context.logTail
        let start = sequence ?? logTail.lastSequence
        return AsyncThrowingStream { continuation in
            let reader = Task {
                var position = start
                do {
                    while !Task.isCancelled {
                        _ = await logTail.waitForSequence(after: position, timeout: .seconds(1))
                        for buffer in try await logTail.buffers(after: position, limit: 100) {
                            continuation.yield(buffer)
                            position = buffer.sequence
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// The link's current state, as the site's status page reports its father.
    public func status() async throws -> ReplicaStatus {
        let father = await context.activity.fatherStatus(atMicroseconds: EntitiesSubsystem.systemMicroseconds())
        let connected = father?.connected ?? false
        let pending: Int64
        if let backlog = father?.uploadBacklog {
            pending = backlog
        } else {
            let uploaded = try await store.siteCounter(FatherLink.uploadedKey) ?? 0
            pending = max(0, try await store.lastSequence() - uploaded)
        }
        return ReplicaStatus(
            connected: connected, connectedToCenter: connected && connection.isConnected, pendingUploads: pending,
            lag: father?.lagSequences, linkStatus: father?.state
        )
    }

    /// The status at once and after every change (polled every `interval`); ends on cancellation.
    public func statusUpdates(every interval: Duration = .milliseconds(250)) -> AsyncThrowingStream<ReplicaStatus, any Error> {
        AsyncThrowingStream { continuation in
            let poller = Task {
                var last: ReplicaStatus?
                do {
                    while !Task.isCancelled {
                        let now = try await self.status()
                        if now != last { continuation.yield(now); last = now }
                        try await Task.sleep(for: interval)
                    }
                } catch is CancellationError {
                } catch {
                    continuation.finish(throwing: error)
                    return
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in poller.cancel() }
        }
    }
}
