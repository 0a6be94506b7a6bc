import ArborCore
import ArborServer
import ArborStore
import Foundation
import Logging
import ServiceLifecycle

/// An offline-first replica: a local SQLite leaf site run in this process (log tail, clients,
/// father link; an HTTP listener only when configured), read and written locally, synchronized by the ordinary
/// ``FatherLink`` whenever the father is reachable. With ``ReplicaConfiguration/discovery``
/// it finds the father on the local network and follows it to new URLs.
public final class Replica: Sendable {
    public let store: any SiteStore
    let context: SiteContext
    let link: ReplicaLink
    let connection: CenterConnection
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let discovery: Task<Void, Never>?

    private init(
        store: any SiteStore, context: SiteContext, link: ReplicaLink, connection: CenterConnection,
        group: ServiceGroup, task: Task<Void, any Error>, discovery: Task<Void, Never>?
    ) {
        self.store = store
        self.context = context
        self.link = link
        self.connection = connection
        self.group = group
        self.task = task
        self.discovery = discovery
    }

    /// Opens (creating when missing, as `arbor init` does) the replica's database and starts its
    /// services; works without the father, which it joins when reachable.
    public static func open(_ configuration: ReplicaConfiguration, logger: Logger = Logger(label: "arbor.replica")) async throws -> Replica {
        guard !configuration.fatherServers.isEmpty || configuration.discovery != nil else {
            throw ReplicaError("a replica needs father servers or discovery to find its father (ReplicaConfiguration.fatherServers or .discovery)")
        }
        let location = DatabaseLocation.sqlite(path: configuration.databasePath)
        let store = try await SiteStores.open(
            StoreConfiguration(location: location, schema: configuration.schema, siteName: configuration.siteName), logger: logger)
        do {
            try await store.install(upgradingSchema: false)
            _ = try await SiteIncarnation.settle(in: store)
            let connection = CenterConnection(isCenter: false)
            let settings = configuration.settings
            var context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { connection.isConnected }, logger: logger)
            let linkSettings = configuration.linkSettingsOrDefault
            if !linkSettings.servers.isEmpty {
                context.fatherEntities = try FatherEntityLoader(
                    settings: linkSettings, schema: configuration.schema, limits: settings.limits, logger: logger)
            }
            try await context.clients.refresh()
            try await context.logTail.catchUp()
            var services: [any Service] = [context.logTail, context.clients]
            if let listener = configuration.listener {
                services.append(try SiteApplication(context: context, host: listener.host, port: listener.port).makeService(onRunning: listener.onListening))
            }
            let group = ServiceGroup(configuration: .init(services: services, logger: logger))
            let task = Task { try await group.run() }
            let link = ReplicaLink(context: context, settings: linkSettings, connection: connection, logger: logger)
            var discovery: Task<Void, Never>?
            if let finding = configuration.discovery {
                let schema = configuration.schema.name, configured = linkSettings.servers
                try await link.run(servers: configured + ((try? await finding.fatherServers(schema: schema)) ?? []))
                let activity = context.activity
                discovery = Task {
                    await Self.keepFinding(finding, schema: schema, configured: configured, link: link, logger: logger) {
                        await activity.fatherStatus(atMicroseconds: EntitiesSubsystem.systemMicroseconds())?.connected ?? false
                    }
                }
            } else {
                try await link.run(servers: linkSettings.servers)
            }
            return Replica(store: store, context: context, link: link, connection: connection, group: group, task: task, discovery: discovery)
        } catch {
            await store.close()
            throw error
        }
    }

    /// While the replica is not connected to its father, asks again every retry interval and
    /// moves the link to the servers found (after the configured ones).
    private static func keepFinding(
        _ finding: ReplicaDiscovery, schema: String, configured: [String], link: ReplicaLink, logger: Logger,
        connected: @Sendable () async -> Bool
    ) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: finding.retryInterval)
            guard !Task.isCancelled, await !connected() else { continue }
            do {
                let found = try await finding.fatherServers(schema: schema)
                guard !found.isEmpty else { continue }
                try await link.run(servers: configured + found)
            } catch {
                logger.warning("replica discovery: \(error)")
            }
        }
    }

    /// Stops discovery, the link and the log tail (gracefully) and closes the database.
    public func close() async {
        discovery?.cancel()
        await discovery?.value
        await link.stop()
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
