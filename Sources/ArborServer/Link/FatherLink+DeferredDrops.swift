import ArborCore
import ArborEdge
import ArborStore

/// Entities a son lets go of (its slice narrowed, or its own writes moved them out of reach)
/// are dropped only once its download has reached the father position where the father held
/// this site's last writes to them.
///
/// Until then the father's log may still hold older deltas of them that the son has not
/// fetched (its download lags its uploads after a partition). Fetched after the drop, such a
/// delta finds no copy and creates the entity again in its old state — and the father's later
/// deltas of it, which came from this very son, are withheld by loop prevention (DESIGN rule 5),
/// so the old copy would stay for good. Fetched before the drop it merges into the newer copy
/// and changes nothing.
struct DeferredDrop: Sendable {
    /// The entities to drop, each with the update time it had when chosen: a copy changed since
    /// (a write not uploaded yet, or a father delta merged meanwhile) is looked at again.
    var expected: [EntityKey: HybridTimestamp]
    /// The father position the download must have applied first; nil until this site's log is
    /// uploaded whole again (a copy that changed since it was chosen).
    var afterFatherSequence: Int64?
    /// Whether a topics list still takes the entity out of this site's reach (a copy moved back
    /// into the slice meanwhile stays).
    var stillLeaves: @Sendable (TopicsList) -> Bool
    /// Why, for the log line.
    var reason: String
    /// Whether the slice change is recorded as done once these are dropped (so an interrupted
    /// change is carried out again at the next start).
    var completesSliceChange: Bool = false
    /// Whether the father is asked again first (``FatherLink/stillGoneAbove(_:edge:)``): only
    /// those it no longer holds, or holds with a topic the link slice negates, are dropped.
    var asksFather: Bool = false
}

extension FatherLink {
    /// Queues `drop`; carried out by ``dropDeferredEntities(downloadedThrough:edge:)``.
    func deferDrop(_ drop: DeferredDrop) {
        state.withLock { $0.deferredDrops.append(drop) }
    }

    /// Carries out the queued drops whose father position the download has reached.
    func dropDeferredEntities(downloadedThrough position: Int64, edge: Edge) async throws {
        let queued = state.withLock { state in
            defer { state.deferredDrops.removeAll() }
            return state.deferredDrops
        }
        var waiting: [DeferredDrop] = []
        defer { state.withLock { $0.deferredDrops = waiting + $0.deferredDrops } }
        for var drop in queued {
            if drop.afterFatherSequence == nil { drop.afterFatherSequence = try await fatherPositionCoveringUploads(downloadedThrough: position) }
            guard let after = drop.afterFatherSequence, after <= position else {
                waiting.append(drop)
                continue
            }
            do {
                if let changed = try await carryOut(drop, downloadedThrough: position, edge: edge) { waiting.append(changed) }
            } catch {
                waiting.append(drop)
                throw error
            }
        }
    }

    /// Once this site's whole log is uploaded: a father position at or after every delta the
    /// father made of it (the last upload answer's, or the download's own). Nil before.
    private func fatherPositionCoveringUploads(downloadedThrough position: Int64) async throws -> Int64? {
        let uploaded = try await context.store.siteCounter(Self.uploadedKey) ?? 0
        guard uploaded >= (try await context.store.lastSequence()) else { return nil }
        return max(position, state.withLock { $0.uploadFatherSequence } ?? 0)
    }

    /// Drops what is unchanged and still out of reach; returns the changed ones, queued again.
    private func carryOut(_ drop: DeferredDrop, downloadedThrough position: Int64, edge: Edge) async throws -> DeferredDrop? {
        var unchanged: [EntityKey: HybridTimestamp] = [:]
        var changed: [EntityKey: HybridTimestamp] = [:]
        for entity in try await context.store.entities(Set(drop.expected.keys)) where drop.stillLeaves(entity.topics) {
            let key = EntityKey(entity.entityClass, entity.techId)
            if drop.expected[key] == entity.updateTime { unchanged[key] = entity.updateTime } else { changed[key] = entity.updateTime }
        }
        if drop.asksFather, !unchanged.isEmpty { unchanged = try await stillGoneAbove(unchanged, edge: edge) }
        // This site applied every answer through `position`: what the last one registered is
        // committed with the unregistration, not lost with the fetch session.
        let dropped = try await dropAndUnregister(unchanged, edge: edge, fetchedThrough: position)
        count { $0.droppedEntities += dropped.count }
        // Changed meanwhile (a race with a write lands here too): looked at again after the next upload.
        for (key, time) in unchanged where !dropped.contains(key) { changed[key] = time }
        if !dropped.isEmpty { logger.notice("father link: dropped \(dropped.count) entities \(drop.reason)") }
        var rest = drop
        rest.expected = changed
        rest.afterFatherSequence = nil
        if changed.isEmpty {
            if drop.completesSliceChange {
                try await recordSubscribedSlice()
                count { $0.sliceChanges += 1 }
            }
            return nil
        }
        return rest
    }
}
