import ArborCore
import ArborStore
import Foundation

extension CacheServer {
    /// SelectMinus (§2.3): the entities `oldSlice` selects and `newSlice` does not (load-mode
    /// evaluation, time windows included), logically deleted ones left out. The client deletes
    /// them locally and unregisters them at its father; registrations do not change here.
    public func selectMinus(client: AuthenticatedClient, oldSlice oldText: String, newSlice newText: String) async throws(ServerError) -> [EntityRef] {
        let (client, newSlice) = try await admit(client, slice: newText)
        let oldSlice = try context.parseSlice(oldText)
        // The answer names entities of the old slice: the client must be allowed that one too.
        try await context.authority.requirePermit(client, oldSlice)
        let snapshot = try await loadedSnapshot()
        return LoadSelector.minus(snapshot, oldSlice: oldSlice, newSlice: newSlice, now: now())
            .map { EntityRef($0.entityClass, $0.techId) }
    }

    /// SkipLoad (§2.5): a rebooted client in steady state resumes fetching after
    /// `lastSequence`, which is returned. The site must hold the client's registrations
    /// (`NotRegistered`); a sequence older than the retained log is `TooFarBehind` (the client
    /// must sync-load); one of another log (`logIncarnation`) or newer than the log is
    /// `LogReplaced` (the site was restored: the client must sync-load registering its entities).
    public func skipLoad(client: AuthenticatedClient, slice text: String, lastSequence: Int64, logIncarnation: UUID? = nil) async throws(ServerError) -> Int64 {
        let (client, slice) = try await admit(client, slice: text)
        try await requireKnownRegistrations(of: client)
        try await context.admitLogPosition(lastSequence, of: logIncarnation, clientId: client.id)
        var newest = max(sequence, context.logTail.lastSequence)
        if lastSequence > newest {
            // The log tail may lag a commit the client already fetched elsewhere: ask the store.
            let store = context.store
            newest = max(newest, try await serverCall("reading the log's last sequence") { try await store.lastSequence() })
        }
        guard lastSequence >= 0 else {
            throw ServerError(.badRequest, "lastSequence must not be negative (got \(lastSequence))")
        }
        guard lastSequence <= newest else { throw context.beyondLogEnd(lastSequence, last: newest, clientId: client.id) }
        let oldest = newest - context.settings.retainedSequences
        guard lastSequence >= oldest else {
            throw ServerError(
                .tooFarBehind,
                "sequence \(lastSequence) is older than the \(context.settings.retainedSequences) sequences site '\(context.siteName)' retains (last is \(newest)): sync-load instead"
            )
        }
        try await refuseBehindAcknowledged(client, lastSequence)
        await context.cacheNotifier.subscriptionChanged(clientId: client.id, slice: slice)
        return lastSequence
    }

    /// A SkipLoad from before the sequence the client already acknowledged is refused like a
    /// fetch from there (issue 10 item 12): the client was restored from an older copy, and
    /// only a SyncLoad brings back the FULLs it lost.
    private func refuseBehindAcknowledged(_ client: AuthenticatedClient, _ lastSequence: Int64) async throws(ServerError) {
        guard context.settings.useRegistration else { return }
        let store = context.store
        let stored = try await serverCall("reading the fetch acknowledgement") { try await store.fetchAcknowledgement(clientId: client.id) }
        if let stored, stored.bit == client.bit, let acknowledged = stored.acknowledgedSequence, lastSequence < acknowledged {
            throw DeltaServer.behindAcknowledged(lastSequence, acknowledged, client.id, site: context.siteName)
        }
    }
}
