import ArborCore
import ArborEdge
import ArborStore

/// After a registering SyncLoad from time 0 (a restored copy re-joining, a first connection
/// with entities, a father that lost its registrations) the answer holds every entity this site
/// holds that the father still has — the load registered them all first. A held entity that is
/// not in it is one the father no longer has: it left the father's slice or was purged there
/// while this site was away, and the DELETE the father routed then went to an older history of
/// this site. Kept, such a copy stays stale for good: nothing of it ever comes down again.
///
/// It is dropped locally (``EntitiesSubsystem/dropLocally(_:)``, so a write made meanwhile
/// keeps it) and unregistered at the father — unless this site wrote it after the upload
/// position the father had acknowledged before the load: such a write (a create included) may
/// simply not have reached the father yet, and goes up with the uploads. Those are looked at
/// again once the uploads cover this site's log (a ``DeferredDrop`` that asks the father): a
/// restored copy's log holds old writes the father has long had (nemesis seed 350829863: a
/// leaf kept, for good, an old copy its father held with a topic the leaf's slice negates).
extension FatherLink {
    /// `held`: what this site held before the load; `answer`: the load, applied through
    /// `position`; `uploadedBefore`: the father's acknowledged upload position read before the load.
    func dropEntitiesTheFatherLacks(
        held: [EntityRef], answer: DeltaBatch, uploadedBefore: Int64, position: Int64, edge: Edge
    ) async throws {
        let answered = Set(answer.buffers.flatMap(\.deltas).map(\.key))
        let absent = Set(held.map { EntityKey($0.entityClass, $0.techId) }).subtracting(answered)
        guard !absent.isEmpty else { return }
        var expected: [EntityKey: HybridTimestamp] = [:]
        for entity in try await context.store.entities(absent) {
            expected[EntityKey(entity.entityClass, entity.techId)] = entity.updateTime
        }
        // Read after the update times: a write committed in between is in the log, so it is kept.
        var written: [EntityKey: HybridTimestamp] = [:]
        for key in try await entitiesWrittenHere(after: uploadedBefore) {
            written[key] = expected.removeValue(forKey: key)
        }
        if !written.isEmpty {
            deferDrop(DeferredDrop(
                expected: written, afterFatherSequence: nil, stillLeaves: { _ in true },
                reason: "the father no longer sends (asked again once this site's writes to them were uploaded)", asksFather: true
            ))
        }
        let dropped = try await dropAndUnregister(expected, edge: edge, fetchedThrough: position)
        guard !dropped.isEmpty else { return }
        count { $0.droppedEntities += dropped.count }
        logger.notice("father link: dropped \(dropped.count) entities the father no longer holds")
    }

    /// The entities this site's own father-bound writes after `position` touch.
    private func entitiesWrittenHere(after position: Int64) async throws -> Set<EntityKey> {
        var keys = Set<EntityKey>()
        var after = position
        while true {
            let buffers = try await context.logTail.buffers(after: after, limit: settings.uploadBatchBuffers)
            guard let last = buffers.last else { return keys }
            for buffer in buffers { keys.formUnion(UploadBatch.fatherBound(buffer).deltas.map(\.key)) }
            after = last.sequence
        }
    }
}

extension FatherLink {
    /// Of `entities` (with this site's update times), those to drop after asking the father
    /// again with a registering targeted load (``EntityLoadRequest``), whose answer is merged
    /// first: the ones it does not send (it no longer holds them) and the ones it sends with a
    /// topic the link slice negates (it withholds their changes from this site). Each comes
    /// with its update time after the merge.
    func stillGoneAbove(_ entities: [EntityKey: HybridTimestamp], edge: Edge) async throws -> [EntityKey: HybridTimestamp] {
        let sentTopics = try await edge.mergeRegisteringLoad(of: entities.keys, slice: linkSlice, into: context.entities)
        let negating = sliceNegatingApplicationTopics
        var gone: [EntityKey: HybridTimestamp] = [:]
        for entity in try await context.store.entities(Set(entities.keys)) {
            let key = EntityKey(entity.entityClass, entity.techId)
            if let topics = sentTopics[key], negating?.dropsRegistered(topics) != true { continue }
            gone[key] = entity.updateTime
        }
        return gone
    }
}
