import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// Digests (`arbor verify`): the digest of every live entity `slice` selects in the cache's
    /// snapshot, ordered by class and tech-id, with the snapshot's sequence.
    ///
    /// Logically deleted entities are left out, at every site alike: a son that (re)loaded
    /// never receives them (loads send live entities only), and a purge removes them anyway,
    /// so comparing them would flag a reloaded branch forever.
    ///
    /// Selection is steady-state: time windows are disregarded and the slice is evaluated on
    /// the entity's application topics, as the cache server reads them (`#` topics ignored), so
    /// two sites asked with the same slice compare the same entities whenever they last
    /// changed. Entities kept out of the cache are read whole through the `DeltaObjectsReader`;
    /// one purged since the snapshot is left out. The client must be known and enabled and the
    /// `Permit` plug must allow the slice, as for loads; registrations do not change.
    public func digests(client: AuthenticatedClient, slice text: String) async throws(ServerError) -> DigestResponse {
        let (client, slice) = try await admit(client, slice: text)
        let snapshot = try await loadedSnapshot()
        let selected = snapshot.entities.values.filter { !$0.isDeleted && Self.digestSelects(slice, $0) }
        var digests: [EntityDigest] = []
        digests.reserveCapacity(selected.count)
        let size = max(1, context.settings.maximumDeltasPerLoadBuffer)
        for start in stride(from: 0, to: selected.count, by: size) {
            // A long answer stops when the client is disabled meanwhile, as loads do (§2.7).
            if start > 0 { try context.authority.requireStillAdmitted(client) }
            for state in try await wholeStates(selected[start..<min(start + size, selected.count)]) {
                digests.append(EntityDigest(entity: EntityRef(state.entityClass, state.techId), digest: state.digest()))
            }
        }
        digests.sort { VerifyReport.precedes($0.entity, $1.entity) }
        return DigestResponse(sequence: snapshot.sequence, entities: digests)
    }

    /// Whether a digest request's slice selects `entity`: steady-state evaluation (no time
    /// windows) over the application topics, `#` topics ignored.
    static func digestSelects(_ slice: TopicsSlice, _ entity: CachedEntity) -> Bool {
        slice.selects(topics: entity.topics.cacheServerTopics, updateTime: entity.updateTime, mode: .steadyState)
    }
}
