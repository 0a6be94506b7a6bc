import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// A built load answer and the tech-ids it carries (the entities to register).
    struct SentLoad {
        var answer: DeltaBatch
        var sent: Set<UUID>
    }

    /// The buffers of an answer kept whole.
    final class BufferCollector {
        var buffers: [DeltaBuffer] = []
    }

    /// Builds the answer of a load from `entities` of the snapshot at `sequence` (see
    /// ``send(_:sequence:to:collectingIds:emit:)``), whole in memory: PartialLoad and SyncLoad.
    func send(_ entities: [CachedEntity], sequence: Int64, to client: AuthenticatedClient) async throws(ServerError) -> SentLoad {
        let collected = BufferCollector()
        let sent = try await send(entities, sequence: sequence, to: client, collectingIds: true) { collected.buffers.append($0) }
        return SentLoad(answer: DeltaBatch(buffers: collected.buffers, sequence: sequence), sent: sent)
    }

    /// Sends the answer of a load from `entities` of the snapshot at `sequence`, in order:
    /// create-deltas in buffers of at most `maximumDeltasPerLoadBuffer`, each stamped with
    /// `sequence`, handed to `emit` one by one as they are made (a FullLoad streams them).
    /// Returns the tech-ids sent when `collectingIds` (the entities to register), else none.
    ///
    /// Headers are fetched whole through the `DeltaObjectsReader` (§5.3), chunk by chunk; one
    /// purged since the snapshot is left out. Between chunks the load stops when the `Control`
    /// plug aborts the snapshot or the client was disabled meanwhile (§2.7). The `CacheNotifier`
    /// hears the snapshot begin and end, whatever the outcome.
    func send(
        _ entities: some Sequence<CachedEntity>, sequence: Int64, to client: AuthenticatedClient, collectingIds: Bool,
        emit: (DeltaBuffer) async throws -> Void
    ) async throws(ServerError) -> Set<UUID> {
        let notifier = context.cacheNotifier
        await notifier.snapshotBegan(clientId: client.id, sequence: sequence)
        var sent = Set<UUID>()
        var count = 0
        do throws(ServerError) {
            let size = max(1, context.settings.maximumDeltasPerLoadBuffer)
            var chunk: [CachedEntity] = []
            chunk.reserveCapacity(size)
            var iterator = entities.makeIterator()
            while true {
                let next = iterator.next()
                if let next { chunk.append(next) }
                guard chunk.count == size || (next == nil && !chunk.isEmpty) else {
                    if next == nil { break }
                    continue
                }
                try await mayContinue(client)
                let states = try await wholeStates(chunk[...])
                chunk.removeAll(keepingCapacity: true)
                if !states.isEmpty {
                    let deltas = states.map { $0.delta(.create, topics: $0.topics, oldTopics: nil) }
                    for part in Self.sizedParts(deltas, limit: context.settings.limits.maximumTransactionBytes, siteName: context.siteName, schemaName: context.schema.name) {
                        try await emitting(DeltaBuffer(schemaName: context.schema.name, originSite: context.siteName, sequence: sequence, deltas: part), emit)
                    }
                    count += states.count
                    if collectingIds { sent.formUnion(states.lazy.map(\.techId)) }
                }
                if next == nil { break }
            }
        } catch {
            await notifier.snapshotEnded(clientId: client.id, sequence: sequence, entityCount: count)
            throw error
        }
        await notifier.snapshotEnded(clientId: client.id, sequence: sequence, entityCount: count)
        return sent
    }

    /// Hands one buffer on; a failure to write it (the client went away) ends the load.
    private func emitting(_ buffer: DeltaBuffer, _ emit: (DeltaBuffer) async throws -> Void) async throws(ServerError) {
        do {
            try await emit(buffer)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.internalError, "cache server: the load answer could not be written (\(error)); the client loads again")
        }
    }

    /// `deltas` split, in order, into runs whose buffers encode to at most `limit` bytes (by
    /// ``DeltaBufferCodec/sizeBound(of:)``), so every edge's decoder accepts each load buffer
    /// (issue 10 item 7). A delta alone above the limit goes alone.
    static func sizedParts(_ deltas: [Delta], limit: Int, siteName: String, schemaName: String) -> [[Delta]] {
        let header = DeltaBufferCodec.headerSizeBound(schemaName: schemaName, originSite: siteName)
        var parts: [[Delta]] = []
        var current: [Delta] = []
        var size = header
        for delta in deltas {
            let bound = DeltaBufferCodec.sizeBound(of: delta)
            if !current.isEmpty, size + bound > limit {
                parts.append(current)
                current = []
                size = header
            }
            current.append(delta)
            size += bound
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Refuses to go on when the snapshot is aborted or the client is no longer enabled.
    private func mayContinue(_ client: AuthenticatedClient) async throws(ServerError) {
        if await context.control.shouldAbortSnapshot(clientId: client.id) {
            throw ServerError(.internalError, "snapshot aborted for client '\(client.id)'")
        }
        try context.authority.requireStillAdmitted(client)
    }

    /// The whole entities of a chunk, in order: held ones as they are, headers read through
    /// the objects reader (an entity purged since the snapshot is left out).
    func wholeStates(_ chunk: ArraySlice<CachedEntity>) async throws(ServerError) -> [EntityState] {
        var keys = Set<EntityKey>()
        for case .header(let header) in chunk { keys.insert(header.key) }
        var fetched: [EntityKey: EntityState] = [:]
        if !keys.isEmpty {
            let reader = context.objectsReader
            let states = try await serverCall("reading entities not kept in cache") { try await reader.entities(keys) }
            for state in states where keys.contains(state.key) { fetched[state.key] = state }
        }
        return chunk.compactMap { $0.state ?? fetched[$0.key] }
    }

    /// Runs store or plug I/O, answering its failure as ``ServerError/storeFailure(_:_:siteName:logger:)`` does.
    func serverCall<T>(_ what: String, _ body: () async throws -> T) async throws(ServerError) -> T {
        do {
            return try await body()
        } catch {
            throw ServerError.storeFailure("cache server: \(what)", error, siteName: context.siteName, logger: context.logger)
        }
    }
}
