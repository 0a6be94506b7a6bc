import ArborCore
import ArborStore
import Foundation

/// The delta server of one site (§2.5): routes the site's log to its clients (`fetch`), keeps
/// their registrations (`register`, `unregister`) and takes writes (`append`).
///
/// HTTP lives elsewhere: the routes decode requests and call these methods, which answer with
/// values or a ``ServerError`` carrying the protocol code.
public final class DeltaServer: Sendable {
    /// The default long-poll wait when a fetch names none.
    public static let defaultWait: Duration = .seconds(25)

    let context: SiteContext
    let sessions: FetchSessions

    /// A delta server over the site's shared parts.
    public init(context: SiteContext) {
        self.context = context
        sessions = FetchSessions(store: context.store)
    }

    /// RegisterEntities (§2.4, §2.5): the client holds these entities, synchronized. Afterwards
    /// the site knows the client's registrations, so its registered fetches are served; what it
    /// acknowledged or was sent before is forgotten (it fetches from the returned sequence).
    ///
    /// - Returns: the site's current log sequence.
    public func register(client record: AuthenticatedClient, entities: [EntityRef]) async throws(ServerError) -> Int64 {
        try checkClasses(of: entities)
        let states = Dictionary(entities.map { ($0.techId, RegistrationState.synchronized) }, uniquingKeysWith: { $1 })
        do {
            try await context.registrations.set(states, for: record.bit)
            try await context.registrations.markKnown(record.bit)
            try await sessions.reset(clientId: record.id)
        } catch {
            throw failure("registering \(entities.count) entities for client '\(record.id)'", error)
        }
        return try await currentSequence()
    }

    /// UnregisterEntities (§2.3, §2.5): the client no longer wants these entities.
    ///
    /// The client's pending fetch batch is dropped, so acknowledging it cannot register the
    /// entities again; its next fetch routes from the persisted states. With `fetchedThrough`
    /// (the client holds its answers through there) that batch's registrations are committed
    /// first, the unregistrations on top (``FetchSessions/acknowledge(clientId:bit:fetchedThrough:then:)``).
    /// - Returns: `sequence`, the position the client continues from.
    public func unregister(
        client record: AuthenticatedClient, entities: [EntityRef], sequence: Int64, fetchedThrough: Int64? = nil
    ) async throws(ServerError) -> Int64 {
        try checkClasses(of: entities)
        let states = Dictionary(entities.map { ($0.techId, RegistrationState.unregistered) }, uniquingKeysWith: { $1 })
        do {
            try await sessions.acknowledge(clientId: record.id, bit: record.bit, fetchedThrough: fetchedThrough, then: states)
        } catch {
            throw failure("unregistering \(entities.count) entities for client '\(record.id)'", error)
        }
        return sequence
    }

    /// Append (§2.5, §4.1): applies writes in one transaction through the entities sub-system.
    ///
    /// Bad input is refused before anything is written (`BadRequest`, `NotFound`, `SchemaMismatch`),
    /// and so is a write the `Permit` plug refuses (`NotPermitted`, issue 11 item 2): the plug is
    /// asked inside the transaction about each entity as locked and as written.
    ///
    /// With `requestId` (issue 10 item 13) an append already committed for this client and id
    /// is answered with its recorded outcome, and nothing is applied again.
    public func append(_ writes: [EntityWrite], client: AuthenticatedClient, requestId: String? = nil) async throws(ServerError) -> AppendResponse {
        let permit = await context.authority.writePermit(for: client)
        guard let requestId else {
            do {
                let receipt = try await context.entities.write(writes, permit: permit)
                return AppendResponse(sequence: receipt.sequence, outcomes: receipt.result.map(Self.name(of:)))
            } catch {
                throw failure("appending \(writes.count) writes", error)
            }
        }
        guard ArborProtocol.Header.isValidRequestId(requestId) else {
            throw ServerError(.badRequest, "\(ArborProtocol.Header.requestId) must be 1 to 128 visible ASCII characters")
        }
        let client = client.id
        if let recorded = try await recordedAppend(client, requestId) { return recorded }
        do {
            let receipt = try await context.entities.write(writes, request: (client, requestId), permit: permit)
            return AppendResponse(sequence: receipt.sequence, outcomes: receipt.result.map(Self.name(of:)))
        } catch let error as StoreError where error.code == .alreadyApplied {
            // A concurrent duplicate committed first: answer its outcome.
            if let recorded = try await recordedAppend(client, requestId) { return recorded }
            throw failure("appending \(writes.count) writes", error)
        } catch {
            throw failure("appending \(writes.count) writes", error)
        }
    }

    /// The answer recorded for an append request, if it committed.
    private func recordedAppend(_ clientId: String, _ requestId: String) async throws(ServerError) -> AppendResponse? {
        do {
            return try await context.store.appendRequest(clientId: clientId, requestId: requestId).map {
                AppendResponse(sequence: $0.sequence, outcomes: $0.outcomes)
            }
        } catch {
            throw failure("reading append request '\(requestId)'", error)
        }
    }

    /// The client `clientId` names, for a caller inside this process (no credential needed):
    /// `UnknownClient` or `ClientDisabled` as over HTTP.
    public func inProcessClient(_ clientId: String) throws(ServerError) -> AuthenticatedClient {
        try context.authority.inProcess(clientId)
    }

    /// The highest committed sequence: the store's, which may be ahead of the log tail.
    func currentSequence() async throws(ServerError) -> Int64 {
        do {
            return max(context.logTail.lastSequence, try await context.store.lastSequence())
        } catch {
            throw failure("reading the last sequence", error)
        }
    }

    private func checkClasses(of entities: [EntityRef]) throws(ServerError) {
        for name in Set(entities.map(\.entityClass)) where context.schema.entityClass(named: name) == nil {
            throw ServerError(.badRequest, "schema '\(context.schema.name)' has no entity class '\(name)'")
        }
    }
}
