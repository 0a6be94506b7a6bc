import ArborCore
import ArborEdge
import ArborStore

/// A son lets go of entities its own writes move out of reach (DESIGN rule 1): when an uploaded
/// write gives an entity one of the link slice's negated application topics while the slice
/// does not select it, the father withholds every later change of it from this son, so a copy
/// kept here would go stale. Once the father has applied the write and the download has passed
/// the father's position after it (``DeferredDrop``), the son removes the entity physically and
/// locally (no logical delete travels up) and unregisters it at the father.
/// Negated site topics (`arbor.notson.<id>`) never count.
extension FatherLink {
    /// The link slice when it negates an application topic (the only case with entities to drop).
    var sliceNegatingApplicationTopics: TopicsSlice? {
        guard let slice = try? TopicsSlice(parsing: linkSlice), !slice.negatedApplicationTopics.isEmpty else { return nil }
        return slice
    }

    /// After the father acknowledged `batch` through `appliedThrough` (its log then ending at
    /// `fatherSequence`): queues the entities its writes blocked for dropping (``DeferredDrop``),
    /// unless a write not yet uploaded (or any later change) touches them first.
    func dropBlockedEntities(uploaded batch: UploadBatch, appliedThrough: Int64, fatherSequence: Int64?) async {
        guard let slice = sliceNegatingApplicationTopics else { return }
        // The newest uploaded write time per entity whose uploaded topics block it.
        var written: [EntityKey: HybridTimestamp] = [:]
        for buffer in batch.buffers where buffer.sequence <= appliedThrough {
            for delta in buffer.deltas where delta.operation != .register && delta.operation != .delete {
                written[delta.key] = max(written[delta.key] ?? delta.updateTime, delta.updateTime)
                if !slice.dropsRegistered(delta.topics) { written[delta.key] = nil }
            }
        }
        guard !written.isEmpty else { return }
        do {
            let current = try await context.store.entities(Set(written.keys))
            var expected: [EntityKey: HybridTimestamp] = [:]
            for entity in current where slice.dropsRegistered(entity.topics) {
                let key = EntityKey(entity.entityClass, entity.techId)
                // A newer time means a change the father has not acknowledged yet: keep it for now.
                if let time = written[key], entity.updateTime <= time { expected[key] = entity.updateTime }
            }
            guard !expected.isEmpty else { return }
            // Dropped by the download once it has passed the father's position after this upload.
            deferDrop(DeferredDrop(
                expected: expected, afterFatherSequence: fatherSequence ?? 0, stillLeaves: { slice.dropsRegistered($0) },
                reason: "this site's writes gave a topic its slice negates"
            ))
        } catch {
            // Kept for now: the entity stays (stale at worst) and its registration too.
            logger.warning("father link: could not read the entities blocked by a negated topic: \(error)")
        }
    }
}

extension FatherLink {
    /// After merging father `buffers` through `position`: queues for dropping the entities a
    /// write above gave one of the link slice's negated application topics (the father routes
    /// those changes to a registered son so it learns of them, DESIGN rule 1). The download has
    /// reached the buffer that moved them, so the drop is carried out at once unless this site
    /// changed a copy meanwhile (a write not uploaded yet is merged at the father first).
    func dropEntitiesBlockedFromAbove(merged buffers: [DeltaBuffer], downloadedThrough position: Int64) async throws {
        guard let slice = sliceNegatingApplicationTopics else { return }
        let keys = Set(buffers.flatMap(\.deltas).filter { delta in
            delta.operation != .register && delta.operation != .delete && slice.dropsRegistered(delta.topics)
        }.map(\.key))
        guard !keys.isEmpty else { return }
        var expected: [EntityKey: HybridTimestamp] = [:]
        for entity in try await context.store.entities(keys) where slice.dropsRegistered(entity.topics) {
            expected[EntityKey(entity.entityClass, entity.techId)] = entity.updateTime
        }
        guard !expected.isEmpty else { return }
        deferDrop(DeferredDrop(
            expected: expected, afterFatherSequence: position, stillLeaves: { slice.dropsRegistered($0) },
            reason: "a write above gave a topic this site's slice negates"
        ))
    }
}

extension FatherLink {
    /// After a load or a resume: queues for dropping every held entity whose topics carry one
    /// of the link slice's negated application topics. Steady state drops those as the changes
    /// arrive, but a reload (restore, schema upgrade) registers the son on all it holds and
    /// passes over a slice change made at the same start, and a process killed between a change
    /// and its drop forgets the queued drop. The drop waits until this site's log is uploaded
    /// whole (a local write may have given the topic) and the download has passed the father's
    /// position after it (``DeferredDrop``).
    func dropHeldEntitiesTheSliceNegates() async throws {
        guard let slice = sliceNegatingApplicationTopics else { return }
        let expected = try await context.store.snapshot().updateTimes(where: slice.dropsRegistered)
        guard !expected.isEmpty else { return }
        deferDrop(DeferredDrop(
            expected: expected, afterFatherSequence: nil, stillLeaves: { slice.dropsRegistered($0) },
            reason: "it holds entities with a topic its slice negates"
        ))
    }
}
