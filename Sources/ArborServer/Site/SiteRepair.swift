import ArborCore
import ArborEdge
import ArborStore

/// Mends a son after `arbor verify` found it different from its father (`arbor verify --repair`):
/// exactly the entities the comparison named are replaced by the father's copies, without a
/// full reload.
///
/// The father sends those of them it holds and the slice selects, whole, through a targeted
/// load (``Edge/entityLoad(entities:slice:)``, logically deleted ones included). The son drops
/// its copy of every named entity (a purge, DESIGN rule 8: its `DELETE` reaches only cache
/// servers and is never uploaded) and merges the father's copy as `.father`, so a corrupted or
/// diverged row is replaced outright, never merged with what it held. Entities the father does
/// not send stay removed. Writes made at the son to those entities and not yet uploaded are
/// lost: repair when the son's uploads have caught up.
public enum SiteRepair {
    /// What a repair did.
    public struct Outcome: Hashable, Sendable {
        /// Entities replaced by the father's copy, ordered by class and tech-id.
        public var replaced: [EntityRef] = []
        /// Entities removed at the son because the father did not send them.
        public var removed: [EntityRef] = []
    }

    /// Replaces the son's copies of `entities` (the differences of a ``VerifyReport``) with
    /// the father's, read on `slice` through `father`; `son` writes the son's database.
    public static func repair(_ entities: [EntityRef], slice: String, son: EntitiesSubsystem, father: Edge) async throws -> Outcome {
        var outcome = Outcome()
        guard !entities.isEmpty else { return outcome }
        let load = try await father.entityLoad(entities: entities, slice: slice)
        let sent = Set(load.buffers.flatMap { $0.deltas.map(\.key) })
        let held = try await son.store.entities(Set(entities.map { EntityKey($0.entityClass, $0.techId) }))
        let purges = held.map { EntityWrite(.purge, entityClass: $0.entityClass, techId: $0.techId) }
        if !purges.isEmpty { try await son.write(purges) }
        for buffer in load.buffers where !buffer.deltas.isEmpty {
            try await son.apply(buffer, from: .father)
        }
        for entity in entities.sorted(by: VerifyReport.precedes) {
            if sent.contains(EntityKey(entity.entityClass, entity.techId)) {
                outcome.replaced.append(entity)
            } else if held.contains(where: { $0.entityClass == entity.entityClass && $0.techId == entity.techId }) {
                outcome.removed.append(entity)
            }
        }
        return outcome
    }
}
