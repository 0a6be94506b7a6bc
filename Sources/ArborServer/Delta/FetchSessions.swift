import ArborCore
import ArborStore
import Foundation

/// One fetch in progress: a working copy of the client's routing state machine, already past
/// `fetchRequested`, routed by the fetch and stored back with ``FetchSessions/complete(_:)``.
struct FetchTicket: Sendable {
    /// The registered client's id and bit; nil for an unregistered fetch, which stores nothing.
    let clientId: String?
    let bit: ClientBit?
    /// The stored generation this fetch may replace; nil once a newer change (another fetch of
    /// the client, a load, an unregistration) superseded it.
    var generation: Int64?
    /// The machine; the fetch calls `route` on it.
    var machine: FetchRoutingStateMachine
    /// The pending batch as stored, so an unchanged one is not written again.
    var storedPending: FetchRoutingStateMachine.PendingBatch?
}

/// What ``FetchSessions/begin(clientId:client:fromSequence:)`` decided.
enum FetchStart: Sendable {
    /// Route on the ticket's machine (the acknowledged batch, if any, is committed already).
    case route(FetchTicket)
    /// The fetch is before the sequence the client acknowledged: refuse it (issue 10 item 12).
    case behindAcknowledged(Int64)
}

/// The fetch routing sessions of registered clients (DESIGN rule 3), kept in the site's store
/// (`fetch_acknowledgements`), so whichever server process of the site takes a client's next
/// fetch acknowledges its last answer (§8.1, issue 10 item 4).
///
/// A fetch reads the client's row, feeds the fetch to a ``FetchRoutingStateMachine`` resumed
/// from it, and stores the outcome — with an acknowledged batch's registration states, in the
/// same transaction — by compare-and-set on the row's generation; a conflict (another fetch
/// of the client got there first) is retried from the new row. After routing it stores the
/// pending batch the same way, which fails harmlessly when a newer fetch, a load or an
/// unregistration changed the row meanwhile: the newer state stands, and the older answer's
/// changes are never committed, which costs at most a FULL sent again.
struct FetchSessions: Sendable {
    let store: any SiteStore

    /// How often a begin is retried when concurrent fetches of one client keep changing its row.
    static let maximumAttempts = 8

    /// Event: `client` fetches from `fromSequence`; the caller has checked that it is in the log.
    func begin(clientId: String?, client: RoutingClient, fromSequence: Int64) async throws(StoreError) -> FetchStart {
        guard let clientId, let bit = client.bit else {
            return .route(FetchTicket(clientId: nil, bit: nil, generation: nil, machine: Self.fresh(client, at: fromSequence)))
        }
        for _ in 0..<Self.maximumAttempts {
            let stored = try await store.fetchAcknowledgement(clientId: clientId)
            var machine = Self.fresh(client, at: fromSequence)
            var committed: [UUID: RegistrationState] = [:]
            var unchanged = false
            // A row stored for another bit (the client was removed and added again) does not apply.
            if let stored, stored.bit == bit, let acknowledged = stored.acknowledgedSequence {
                machine = FetchRoutingStateMachine(client: client, acknowledgedSequence: acknowledged, pending: stored.pending)
                switch machine.fetchRequested(fromSequence: fromSequence) {
                case .rejectBehindAcknowledged(let sequence): return .behindAcknowledged(sequence)
                case .commit(let states): committed = states
                case .proceed: unchanged = true
                case .discardPending, .restartAhead: break
                }
            }
            if unchanged, let stored {
                return .route(FetchTicket(clientId: clientId, bit: bit, generation: stored.generation, machine: machine))
            }
            let record = FetchAcknowledgementRecord(clientId: clientId, bit: bit, acknowledgedSequence: fromSequence)
            if let generation = try await store.replaceFetchAcknowledgement(record, expectedGeneration: stored?.generation, committing: committed) {
                return .route(FetchTicket(clientId: clientId, bit: bit, generation: generation, machine: machine))
            }
        }
        throw StoreError(.conflict, "concurrent fetches of client '\(clientId)' kept changing its fetch acknowledgement; retry the fetch")
    }

    /// Stores the routed machine's pending batch, unless a newer change superseded the ticket.
    func complete(_ ticket: inout FetchTicket) async throws(StoreError) {
        guard let clientId = ticket.clientId, let bit = ticket.bit, let generation = ticket.generation else { return }
        guard ticket.machine.pending != ticket.storedPending else { return }
        let record = FetchAcknowledgementRecord(
            clientId: clientId, bit: bit, acknowledgedSequence: ticket.machine.acknowledgedSequence, pending: ticket.machine.pending)
        ticket.generation = try await store.replaceFetchAcknowledgement(record, expectedGeneration: generation, committing: [:])
        ticket.storedPending = ticket.machine.pending
    }

    /// Event: the client, holding every answer it fetched through `fetchedThrough` (nil: not
    /// said), changes its own registrations (`changes`: UnregisterEntities, or a load that
    /// registers). Its answer ending there, not yet acknowledged by a fetch, is committed first
    /// and `changes` go on top, in one transaction; then the session starts over as with
    /// ``reset(clientId:)``. Dropped instead, that answer's registrations would be lost while the
    /// client holds what it delivered: a son that had just applied a CREATE and then dropped
    /// another entity stayed unregistered on the new one, and once it left the son's slice no
    /// change of it reached the son again.
    func acknowledge(
        clientId: String, bit: ClientBit, fetchedThrough: Int64?, then changes: [UUID: RegistrationState]
    ) async throws(StoreError) {
        for _ in 0..<Self.maximumAttempts {
            let stored = try await store.fetchAcknowledgement(clientId: clientId)
            var committing: [UUID: RegistrationState] = [:]
            if let fetchedThrough, let stored, stored.bit == bit, let pending = stored.pending, pending.lastSequence == fetchedThrough {
                committing = pending.states
            }
            committing.merge(changes) { _, change in change }
            let record = FetchAcknowledgementRecord(clientId: clientId, bit: bit, acknowledgedSequence: nil)
            if try await store.replaceFetchAcknowledgement(record, expectedGeneration: stored?.generation, committing: committing) != nil { return }
        }
        throw StoreError(.conflict, "concurrent fetches of client '\(clientId)' kept changing its fetch acknowledgement; retry")
    }

    /// Forgets what `clientId` acknowledged and was sent (a load, RegisterEntities or
    /// UnregisterEntities gave it a new starting point); fetches in flight store nothing.
    func reset(clientId: String) async throws(StoreError) {
        try await store.resetFetchAcknowledgement(clientId: clientId)
    }

    /// A machine for `client` that has taken a fetch from `sequence` (nothing pending).
    private static func fresh(_ client: RoutingClient, at sequence: Int64) -> FetchRoutingStateMachine {
        var machine = FetchRoutingStateMachine(client: client, acknowledgedSequence: sequence)
        _ = machine.fetchRequested(fromSequence: sequence)
        return machine
    }
}
