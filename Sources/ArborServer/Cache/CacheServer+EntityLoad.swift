import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// A targeted load (``EntityLoadRequest``), as create-deltas of one snapshot.
    ///
    /// Without `registering` (`arbor verify --repair`): the named entities this site holds and
    /// `slice` selects (steady state, as for digests); the others are left out and the caller
    /// removes its copies of those. Nothing is registered, so the answer does not change what
    /// the client receives later.
    ///
    /// With `registering` (son sites only): every named entity this site holds, and the son is
    /// registered-synchronized on them before the snapshot is taken, so each change committed
    /// after it reaches the son as a PARTIAL. The son asks for entities one of its own sons
    /// changed while it did not hold them.
    ///
    /// The client must be known and enabled and the `Permit` plug must allow the slice, as for
    /// every load.
    public func entityLoad(
        client: AuthenticatedClient, slice text: String, entities: [EntityRef], registering: Bool = false
    ) async throws(ServerError) -> DeltaBatch {
        let (client, slice) = try await admit(client, slice: text)
        for entity in entities where context.schema.entityClass(named: entity.entityClass) == nil {
            throw ServerError(.badRequest, "entity class '\(entity.entityClass)' is not in schema '\(context.schema.name)'")
        }
        if registering {
            guard client.role.mayUpload else {
                throw ServerError(.notPermitted, "client '\(client.id)' is an application at site '\(context.siteName)'; only son sites may load entities registering on them")
            }
            if context.settings.useRegistration {
                let states = Dictionary(entities.map { ($0.techId, RegistrationState.synchronized) }, uniquingKeysWith: { first, _ in first })
                try await register(states, for: client, markKnown: false)
            }
        }
        let snapshot = try await loadedSnapshot()
        var seen = Set<EntityKey>()
        let selected = entities.compactMap { entity -> CachedEntity? in
            let key = EntityKey(entity.entityClass, entity.techId)
            guard seen.insert(key).inserted, let cached = snapshot.entities[key] else { return nil }
            return registering || Self.digestSelects(slice, cached) ? cached : nil
        }
        let load = try await send(selected, sequence: snapshot.sequence, to: client)
        if registering, context.settings.useRegistration {
            // Registered only on what it was sent: an id this site does not hold keeps no registration.
            let sent = load.sent
            let absent = Dictionary(entities.lazy.filter { !sent.contains($0.techId) }.map { ($0.techId, RegistrationState.unregistered) }, uniquingKeysWith: { first, _ in first })
            if !absent.isEmpty { try await register(absent, for: client, markKnown: false) }
        }
        return load.answer
    }
}
