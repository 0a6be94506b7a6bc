import ArborCore
import Foundation
import Synchronization

/// One fetch in progress: a working copy of the client's routing state machine, already past
/// `fetchRequested`, routed by the fetch and handed back with ``FetchSessions/complete(_:)``.
struct FetchTicket: Sendable {
    /// The registered client's id; nil for an unregistered fetch, which keeps no session.
    let clientId: String?
    /// Which `begin` produced this ticket; a later `begin` for the same client supersedes it.
    let generation: UInt64
    /// The machine; the fetch calls `route` on it.
    var machine: FetchRoutingStateMachine
    /// States the client acknowledged with this fetch, to persist before routing.
    let committed: [UUID: RegistrationState]
}

/// The fetch routing sessions of registered clients, one per client id (DESIGN rule 3).
///
/// A fetch takes a ticket (`begin`), routes on its copy of the machine while no lock is held,
/// and stores it back (`complete`) unless another fetch of the same client began meanwhile (a
/// retry while a long poll still waited): then the newer one's state stands and the older
/// result's pending changes are never committed, which only costs a FULL sent again. Unregistered
/// clients have no registration state, so their fetches route on a fresh machine each time.
final class FetchSessions: Sendable {
    private struct Entry {
        var machine: FetchRoutingStateMachine
        var generation: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var nextGeneration: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Event: `client` fetches from `fromSequence`.
    ///
    /// The client's session (a new one at `fromSequence` if it has none, or if its bit changed)
    /// takes the fetch as an acknowledgement or a re-fetch; a changed slice then only replaces
    /// the routing client, since what the client acknowledged does not depend on its slice. A
    /// fetch before the acknowledged sequence (a client restarted from older data) or beyond what
    /// this session sent (the client moved on by a load, SkipLoad or an answer whose session
    /// was superseded) starts a fresh session at `fromSequence`: the batch pending then was never
    /// acknowledged, so routing from the persisted states is correct. The caller has checked that
    /// `fromSequence` is in the log.
    func begin(clientId: String?, client: RoutingClient, fromSequence: Int64) -> FetchTicket {
        guard let clientId, client.isRegistered else {
            return FetchTicket(clientId: nil, generation: 0, machine: Self.fresh(client, at: fromSequence), committed: [:])
        }
        return state.withLock { state in
            var machine = Self.fresh(client, at: fromSequence)
            var committed: [UUID: RegistrationState] = [:]
            if let entry = state.entries[clientId], entry.machine.client.bit == client.bit {
                var existing = entry.machine
                switch existing.fetchRequested(fromSequence: fromSequence) {
                case .proceed, .discardPending:
                    machine = existing
                case .commit(let states):
                    machine = existing
                    committed = states
                case .rejectBehindAcknowledged, .rejectAhead:
                    break
                }
                if machine.client != client { machine = Self.fresh(client, at: fromSequence) }
            }
            state.nextGeneration += 1
            state.entries[clientId] = Entry(machine: machine, generation: state.nextGeneration)
            return FetchTicket(clientId: clientId, generation: state.nextGeneration, machine: machine, committed: committed)
        }
    }

    /// A machine for `client` that has taken a fetch from `sequence` (nothing pending).
    private static func fresh(_ client: RoutingClient, at sequence: Int64) -> FetchRoutingStateMachine {
        var machine = FetchRoutingStateMachine(client: client, acknowledgedSequence: sequence)
        _ = machine.fetchRequested(fromSequence: sequence)
        return machine
    }

    /// Stores the routed machine back, unless a newer fetch of the client began since.
    func complete(_ ticket: FetchTicket) {
        guard let clientId = ticket.clientId else { return }
        state.withLock { state in
            guard state.entries[clientId]?.generation == ticket.generation else { return }
            state.entries[clientId]?.machine = ticket.machine
        }
    }

    /// Forgets the session of `clientId`; in-flight fetches of it no longer store their result.
    func drop(clientId: String) {
        _ = state.withLock { $0.entries.removeValue(forKey: clientId) }
    }

    /// Forgets the session begun by `ticket` (its commit could not be persisted), unless a newer
    /// fetch replaced it.
    func drop(_ ticket: FetchTicket) {
        guard let clientId = ticket.clientId else { return }
        state.withLock { state in
            if state.entries[clientId]?.generation == ticket.generation { state.entries[clientId] = nil }
        }
    }

    /// The acknowledged sequence of `clientId`'s session, nil without one (for tests and status).
    func acknowledgedSequence(of clientId: String) -> Int64? {
        state.withLock { $0.entries[clientId]?.machine.acknowledgedSequence }
    }
}
