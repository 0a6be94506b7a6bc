import ArborCore
import ArborStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A site's cache server (§2.2–§2.5, §3.6): keeps the site's entities in memory, following the
/// log, and answers loads from a snapshot taken at exactly one sequence while writes go on
/// (DESIGN rule 10). No HTTP here: the site's routes call the load methods.
public final class CacheServer: Service, Sendable {
    private struct State {
        var snapshot = CacheSnapshot()
        var isLoaded = false
        /// The one load under way: `start()` before serving and `run()` as a service both
        /// wait for it, so a site's entities are read once (they were read twice at every start).
        var loading: Task<Void, any Error>?
    }

    /// The site's shared parts (store, log tail, registrations, clients, plugs).
    public let context: SiteContext
    /// The wall clock time windows are measured from.
    let now: @Sendable () -> HybridTimestamp
    private let state = Mutex(State())

    /// - Parameters:
    ///   - context: the site's shared parts.
    ///   - clock: the wall clock for time windows in loads; tests pass a manual one.
    public init(context: SiteContext, clock: @escaping @Sendable () -> HybridTimestamp = CacheServer.systemClock) {
        self.context = context
        now = clock
    }

    /// The client `clientId` names, for a caller inside this process (no credential needed):
    /// `UnknownClient` or `ClientDisabled` as over HTTP.
    public func inProcessClient(_ clientId: String) throws(ServerError) -> AuthenticatedClient {
        try context.authority.inProcess(clientId)
    }

    /// The system wall clock in microseconds since 1970.
    public static func systemClock() -> HybridTimestamp {
        HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds())
    }

    /// The last log sequence the cache reflects.
    public var sequence: Int64 { state.withLock { $0.snapshot.sequence } }

    /// Whether ``start()`` has loaded the store's entities.
    public var isLoaded: Bool { state.withLock { $0.isLoaded } }

    /// The cache as of one sequence; an O(1) copy that later writes do not change.
    public func snapshot() -> CacheSnapshot { state.withLock { $0.snapshot } }

    /// Loads every entity from a consistent read of the store (whole ones for `inCache`,
    /// headers for the others), once: a caller arriving while the load runs waits for it.
    public func start() async throws {
        let loading = state.withLock { state in
            if let loading = state.loading { return loading }
            let loading = Task { try await load() }
            state.loading = loading
            return loading
        }
        try await loading.value
    }

    private func load() async throws {
        let loaded: CacheSnapshot
        do {
            loaded = CacheSnapshot(try await context.store.snapshot())
        } catch {
            state.withLock { $0.loading = nil }  // a later start() tries again
            throw error
        }
        state.withLock { state in
            state.snapshot = loaded
            state.isLoaded = true
        }
        context.logger.info("cache server loaded", metadata: ["entities": "\(loaded.count)", "sequence": "\(loaded.sequence)"])
    }

    /// Loads the store (when ``start()`` has not) and then follows the log tail until shutdown.
    public func run() async throws {
        try await start()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let current = self.sequence
                let last = await self.context.logTail.waitForSequence(after: current, timeout: self.context.settings.maximumWait)
                guard last > current, !Task.isCancelled else { continue }
                do {
                    // The tail is ahead but nothing readable came: do not spin on it.
                    if try await self.catchUp() == current { try await Task.sleep(for: .milliseconds(100)) }
                } catch is CancellationError {
                    return
                } catch {
                    self.context.logger.warning("cache server could not read the log: \(error)")
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    /// Applies every buffer the log tail holds after ``sequence``, in order; returns the new
    /// sequence. `run()` calls it on each advance of the log tail.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        let limit = max(1, context.settings.maximumBuffersPerAnswer)
        while true {
            let current = sequence
            let buffers = try await context.logTail.buffers(after: current, limit: limit)
            guard !buffers.isEmpty else { return current }
            if let first = buffers.first, first.sequence != current + 1 {
                context.logger.warning("cache server skipped log sequences \(current + 1)..<\(first.sequence) it could not read")
            }
            apply(buffers)
            if buffers.count < limit { return sequence }
        }
    }

    /// Applies buffers to a copy of the cache and swaps it in: readers never wait for the
    /// merge work and never see a half-applied transaction.
    private func apply(_ buffers: [DeltaBuffer]) {
        var next = snapshot()
        for buffer in buffers { next.apply(buffer) }
        state.withLock { state in
            // Only the log follower writes after start; keep the newer one if start raced it.
            if next.sequence > state.snapshot.sequence { state.snapshot = next }
        }
    }

    /// The cache for a load, refusing while the store has not been read yet. It includes every
    /// transaction committed before the load began (read your writes, issue 10 item 6): the
    /// store's committed horizon is one cheap query, and only when the cache is behind it are
    /// the log tail and the cache brought up to it. A failure to check is an error, never a
    /// load that silently misses a write the client was told had committed.
    func loadedSnapshot() async throws(ServerError) -> CacheSnapshot {
        guard state.withLock({ $0.isLoaded }) else {
            throw ServerError(.internalError, "the cache server of site '\(context.siteName)' is still loading; retry shortly")
        }
        do {
            let committed = try await context.store.lastSequence()
            if sequence < committed {
                try await context.logTail.catchUp(through: committed)
                try await catchUp()
            }
        } catch {
            context.logger.warning("cache server could not catch up before a load: \(error)")
            throw ServerError(.internalError, "the cache server of site '\(context.siteName)' could not read its log before the load; retry shortly")
        }
        return snapshot()
    }
}
