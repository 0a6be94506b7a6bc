import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// A targeted load (`arbor verify --repair`): the entities named in `entities` that this site
    /// holds and `slice` selects (steady state, as for digests), whole, logically deleted ones
    /// included, as create-deltas of one snapshot. Named entities the site lacks, or the slice
    /// does not select, are left out: the caller removes its copies of those.
    ///
    /// The client must be known and enabled and the `Permit` plug must allow the slice, as for
    /// every load; unlike the other loads nothing is registered, so the answer does not change
    /// what the client receives later.
    public func entityLoad(client: AuthenticatedClient, slice text: String, entities: [EntityRef]) async throws(ServerError) -> DeltaBatch {
        let (client, slice) = try await admit(client, slice: text)
        for entity in entities where context.schema.entityClass(named: entity.entityClass) == nil {
            throw ServerError(.badRequest, "entity class '\(entity.entityClass)' is not in schema '\(context.schema.name)'")
        }
        let snapshot = try await loadedSnapshot()
        var seen = Set<EntityKey>()
        let selected = entities.compactMap { entity -> CachedEntity? in
            let key = EntityKey(entity.entityClass, entity.techId)
            guard seen.insert(key).inserted, let cached = snapshot.entities[key], Self.digestSelects(slice, cached) else { return nil }
            return cached
        }
        return try await send(selected, sequence: snapshot.sequence, to: client).answer
    }
}
