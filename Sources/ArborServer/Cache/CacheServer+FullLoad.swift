import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// A FullLoad admitted, its snapshot taken: everything needed to stream its answer, and
    /// nothing built yet (the selection is made while sending).
    public struct FullLoadPlan: Sendable {
        let client: AuthenticatedClient
        let slice: TopicsSlice
        let snapshot: CacheSnapshot
        let selector: LoadSelector
        /// The loading client's id.
        public var clientId: String { client.id }
        /// The sequence the answer is stamped with: the client fetches from there.
        public var sequence: Int64 { snapshot.sequence }
    }

    /// FullLoad (§2.2): every selected entity that is not logically deleted, as of one
    /// sequence, whole in memory (see ``prepareFullLoad(client:slice:)`` to stream it).
    public func fullLoad(client: AuthenticatedClient, slice text: String) async throws(ServerError) -> DeltaBatch {
        let plan = try await prepareFullLoad(client: client, slice: text)
        let collected = BufferCollector()
        try await streamFullLoad(plan) { collected.buffers.append($0) }
        return DeltaBatch(buffers: collected.buffers, sequence: plan.sequence)
    }

    /// The refusals a FullLoad can meet before its first byte (client, slice, permit, a cache
    /// still loading), then its snapshot: O(1), the persistent dictionary is shared.
    public func prepareFullLoad(client: AuthenticatedClient, slice text: String) async throws(ServerError) -> FullLoadPlan {
        let (client, slice) = try await admitLoad(client, slice: text)
        let snapshot = try await loadedSnapshot()
        return FullLoadPlan(client: client, slice: slice, snapshot: snapshot, selector: LoadSelector(slice: slice, now: now()))
    }

    /// Sends the answer of a prepared FullLoad to `emit`, buffer by buffer as each is made.
    ///
    /// With registration the client becomes registered-synchronized on exactly the entities
    /// sent and unregistered on any others it had: a full load starts over, its fetch
    /// acknowledgement too. That happens after the last buffer was handed to `emit` and before
    /// this returns, so a caller that marks the answer's end afterwards marks only a load the
    /// site registered; an answer cut short registers nothing.
    public func streamFullLoad(_ plan: FullLoadPlan, emit: (DeltaBuffer) async throws -> Void) async throws(ServerError) {
        let selector = plan.selector
        let selected = plan.snapshot.entities.values.lazy.filter { !$0.isDeleted && selector.selects($0) }
        let useRegistration = context.settings.useRegistration
        let sent = try await send(selected, sequence: plan.sequence, to: plan.client, collectingIds: useRegistration, emit: emit)
        if useRegistration {
            // Registrations on entities the snapshot lacks (created after it) stay as they are.
            let classes = context.schema.classes.map(\.name)
            var changes: [UUID: RegistrationState] = [:]
            for id in try await registeredIds(of: plan.client).subtracting(sent) where plan.snapshot.holds(id, classes: classes) {
                changes[id] = .unregistered
            }
            for id in sent { changes[id] = .synchronized }
            try await register(changes, for: plan.client, markKnown: true)
            try await startOver(plan.client)
        }
        await context.cacheNotifier.subscriptionChanged(clientId: plan.client.id, slice: plan.slice)
    }
}
