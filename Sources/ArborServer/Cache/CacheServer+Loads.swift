import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// PartialLoad (§2.3): the entities the new slice selects that the client is not
    /// registered on; it becomes registered-synchronized on them. A client whose registrations
    /// the site does not know gets `NotRegistered`.
    public func partialLoad(client: AuthenticatedClient, slice text: String) async throws(ServerError) -> DeltaBatch {
        let (client, slice) = try await admitLoad(client, slice: text)
        try await requireKnownRegistrations(of: client)
        let snapshot = try await loadedSnapshot()
        let selector = LoadSelector(slice: slice, now: now())
        var registered = Set<UUID>()
        if context.settings.useRegistration {
            registered = try await registeredIds(of: client)
        }
        let selected = selector.partialLoad(snapshot) { registered.contains($0) }
        let load = try await send(selected, sequence: snapshot.sequence, to: client)
        if context.settings.useRegistration {
            try await register(Dictionary(uniqueKeysWithValues: load.sent.map { ($0, .synchronized) }), for: client, markKnown: false)
        }
        await context.cacheNotifier.subscriptionChanged(clientId: client.id, slice: slice)
        return load.answer
    }

    /// SyncLoad (§2.4): every entity selected by the slice or registered for the client,
    /// changed after `lastTransmissionTime` (µs since 1970), logically deleted ones included,
    /// sent whole; the client becomes registered-synchronized on them. A registered entity a
    /// `!T` of the slice blocks goes to a son and makes an application client
    /// registered-unsynchronized (``LoadSelector/syncLoad(_:lastTransmissionTime:toSon:isRegistered:)``).
    ///
    /// With `entities` the client first registers on them (synchronized), as when it connects
    /// to this site for the first time; without, a client whose registrations the site does
    /// not know gets `NotRegistered` and must register first.
    ///
    /// With `fetchedThrough` the client holds every answer it fetched through there: the
    /// registrations of its last answer are committed before the load starts the fetch session
    /// over (``FetchSessions/acknowledge(clientId:bit:fetchedThrough:then:)``).
    public func syncLoad(
        client: AuthenticatedClient, slice text: String, lastTransmissionTime: Int64, entities: [EntityRef]? = nil,
        fetchedThrough: Int64? = nil
    ) async throws(ServerError) -> DeltaBatch {
        let (client, slice) = try await admitLoad(client, slice: text)
        if let fetchedThrough, context.settings.useRegistration {
            let sessions = FetchSessions(store: context.store)
            try await serverCall("acknowledging the fetches of client '\(client.id)'") {
                try await sessions.acknowledge(clientId: client.id, bit: client.bit, fetchedThrough: fetchedThrough, then: [:])
            }
        }
        if let entities {
            let ids = try validated(entities)
            if context.settings.useRegistration {
                try await register(Dictionary(ids.map { ($0, .synchronized) }, uniquingKeysWith: { first, _ in first }), for: client, markKnown: true)
            }
        } else {
            try await requireKnownRegistrations(of: client)
        }
        let snapshot = try await loadedSnapshot()
        var registered = Set<UUID>()
        if context.settings.useRegistration {
            registered = try await registeredIds(of: client)
        }
        let selected = LoadSelector(slice: slice, now: now()).syncLoad(
            snapshot, lastTransmissionTime: HybridTimestamp(microseconds: lastTransmissionTime), toSon: client.role == .son,
            isRegistered: { registered.contains($0) }
        )
        let load = try await send(selected.send, sequence: snapshot.sequence, to: client)
        if context.settings.useRegistration {
            var changes = Dictionary(uniqueKeysWithValues: load.sent.map { ($0, RegistrationState.synchronized) })
            for id in selected.withheld { changes[id] = .unsynchronized }
            try await register(changes, for: client, markKnown: false)
            try await startOver(client)
        }
        await context.cacheNotifier.subscriptionChanged(clientId: client.id, slice: slice)
        return load.answer
    }

    /// After a FullLoad or SyncLoad the client fetches from the load's sequence, which may be
    /// before what it acknowledged earlier (another process's cache may lag a little): what it
    /// acknowledged or was sent before is forgotten, and an older fetch still in flight stores
    /// nothing (issue 10 items 4, 12). A PartialLoad keeps it: the client goes on fetching from
    /// its own position.
    func startOver(_ client: AuthenticatedClient) async throws(ServerError) {
        let store = context.store
        try await serverCall("resetting the fetch acknowledgement") { try await store.resetFetchAcknowledgement(clientId: client.id) }
    }

    /// The checks every cache request starts with: a known, enabled client (§2.7), a slice
    /// that parses, and the `Permit` plug's consent (§5.6).
    func admit(_ client: AuthenticatedClient, slice text: String) async throws(ServerError) -> (AuthenticatedClient, TopicsSlice) {
        try context.authority.requireStillAdmitted(client)
        let slice = try context.parseSlice(text)
        try await context.authority.requirePermit(client, slice)
        return (client, slice)
    }

    /// `NotRegistered` when registration is in use and the site holds none for the client.
    func requireKnownRegistrations(of client: AuthenticatedClient) async throws(ServerError) {
        guard context.settings.useRegistration else { return }
        let registrations = context.registrations
        let known = try await serverCall("reading registrations") { try await registrations.isKnown(client.bit) }
        guard known else {
            throw ServerError(
                .notRegistered,
                "site '\(context.siteName)' holds no registrations for client '\(client.id)': register its entities (or sync-load with them) first"
            )
        }
    }

    /// The entities the client is registered on (synchronized or not), as stored now: one
    /// query returning what the client holds, not a read of every entity the snapshot has.
    func registeredIds(of client: AuthenticatedClient) async throws(ServerError) -> Set<UUID> {
        let registrations = context.registrations
        return try await serverCall("reading registrations") { try await registrations.registeredTechIds(of: client.bit) }
    }

    /// Writes registration changes for the client's bit; with `markKnown`, also records that
    /// the site now holds the client's registrations.
    func register(_ changes: [UUID: RegistrationState], for client: AuthenticatedClient, markKnown: Bool) async throws(ServerError) {
        let registrations = context.registrations
        try await serverCall("saving registrations") {
            try await registrations.set(changes, for: client.bit)
            if markKnown { try await registrations.markKnown(client.bit) }
        }
    }

    /// The tech-ids of entity references, refusing a class the schema does not have.
    private func validated(_ entities: [EntityRef]) throws(ServerError) -> [UUID] {
        for entity in entities where context.schema.entityClass(named: entity.entityClass) == nil {
            throw ServerError(.badRequest, "entity class '\(entity.entityClass)' is not in schema '\(context.schema.name)'")
        }
        return entities.map(\.techId)
    }
}
