import Foundation

/// One client session's fetch loop on the delta server: routes batches of delta buffers and
/// applies their registration changes only when the client acknowledges them (DESIGN rule 3).
///
/// A client acknowledges a batch by fetching again from the batch's last sequence. Until then
/// the batch's registration changes are pending; a client that re-fetches from an older
/// sequence lost the batch, so the changes are dropped and routing starts again from the
/// acknowledged states — a FULL it never received is sent again. A fetch from before the
/// acknowledged sequence is refused (those changes are persisted; routing from there would
/// send PARTIALs of entities the client lacks), one from past what was sent starts again
/// there. The machine does no I/O: the caller reads buffers, persists the machine's state
/// (``acknowledgedSequence``, ``pending``) and committed states, and answers the refusal.
public struct FetchRoutingStateMachine: Sendable {
    /// A routed batch whose registration changes wait for the client's acknowledgement.
    public struct PendingBatch: Hashable, Sendable {
        /// The batch's last sequence: a fetch from it acknowledges the batch.
        public var lastSequence: Int64
        /// Final registration state per entity, as routed.
        public var states: [UUID: RegistrationState]

        /// Creates a pending batch.
        public init(lastSequence: Int64, states: [UUID: RegistrationState]) {
            self.lastSequence = lastSequence
            self.states = states
        }
    }

    /// The client this session serves.
    public let client: RoutingClient
    /// The last sequence the client is known to hold, with registrations persisted up to it.
    public private(set) var acknowledgedSequence: Int64
    /// The last routed batch, not yet acknowledged.
    public private(set) var pending: PendingBatch?

    /// Starts a session for `client`, which holds everything up to `acknowledgedSequence`
    /// (the sequence of its load, SkipLoad or first fetch).
    public init(client: RoutingClient, acknowledgedSequence: Int64) {
        self.client = client
        self.acknowledgedSequence = acknowledgedSequence
    }

    /// Resumes a session from its persisted state (the site's store keeps it, so any server
    /// process of the site takes the client's next fetch): `client` is the routing client of
    /// the fetch now asking, which may have another slice than the one that routed `pending`
    /// (what the client acknowledges does not depend on its slice).
    public init(client: RoutingClient, acknowledgedSequence: Int64, pending: PendingBatch?) {
        self.client = client
        self.acknowledgedSequence = acknowledgedSequence
        self.pending = pending
    }

    /// Event: the client asks for the deltas after `fromSequence`.
    ///
    /// - Returns: `.rejectBehindAcknowledged` before the acknowledged sequence (state
    ///   unchanged); `.restartAhead` past the pending batch's end (or past the acknowledged
    ///   sequence with nothing pending); `.commit` at the pending batch's end (the acknowledged
    ///   sequence advances); `.discardPending` at or after the acknowledged sequence but before
    ///   the batch's end (the batch was lost; registrations stay as acknowledged); `.proceed` at
    ///   the acknowledged sequence with nothing pending. After any but the rejection the machine
    ///   is at `fromSequence` with nothing pending, and the caller reads the buffers after it and
    ///   calls ``route(buffers:acknowledged:)``.
    public mutating func fetchRequested(fromSequence: Int64) -> FetchAction {
        if fromSequence < acknowledgedSequence {
            return .rejectBehindAcknowledged(acknowledgedSequence: acknowledgedSequence)
        }
        let (batch, acknowledged) = (pending, acknowledgedSequence)
        pending = nil
        acknowledgedSequence = fromSequence
        guard let batch else { return fromSequence == acknowledged ? .proceed : .restartAhead }
        if fromSequence > batch.lastSequence { return .restartAhead }
        return fromSequence == batch.lastSequence ? .commit(batch.states) : .discardPending
    }

    /// Event: buffers after the acknowledged sequence were read for the client; routes them.
    ///
    /// Each delta is routed in order from the client's state on its entity: the state changed
    /// earlier in this batch, else `acknowledged(techId)` (the persisted state). So a REGISTER
    /// followed by a FULL in one batch delivers the FULL. The batch's final states become the
    /// pending batch, replacing any earlier unacknowledged one (routing always starts from the
    /// acknowledged states). Buffers at or below the acknowledged sequence are ignored: the
    /// client holds them already.
    public mutating func route(buffers: [DeltaBuffer], acknowledged: (UUID) -> RegistrationState) -> RoutedBatch {
        var overlay: [UUID: RegistrationState] = [:]
        var delivered: [DeltaBuffer] = []
        var skipped: [SkipReason: Int] = [:]
        var lastSequence = acknowledgedSequence
        for buffer in buffers where buffer.sequence > acknowledgedSequence {
            lastSequence = max(lastSequence, buffer.sequence)
            var kept: [Delta] = []
            // Entities whose change in this transaction came from the client itself (a son).
            var ownChanges = Set<UUID>()
            for delta in buffer.deltas {
                let state = client.isRegistered ? overlay[delta.techId] ?? acknowledged(delta.techId) : .unregistered
                var decision = DeltaRouter.route(delta, to: client, registration: state)
                if decision == .skip(.fromThisSon) { ownChanges.insert(delta.techId) }
                // The FULL after a son's own PARTIAL is the same change (it carries no site
                // topic): withholding it changes nothing either (rule 1).
                if case .withhold = decision, delta.operation == .full, ownChanges.contains(delta.techId) {
                    decision = .skip(.fromThisSon)
                }
                switch decision {
                case .deliver(let change):
                    kept.append(delta)
                    if let change, client.isRegistered { overlay[delta.techId] = change.applied(to: state) }
                case .skip(let reason):
                    skipped[reason, default: 0] += 1
                case .withhold(let change):
                    skipped[.blockedByNegation, default: 0] += 1
                    overlay[delta.techId] = change.applied(to: state)
                }
            }
            if !kept.isEmpty {
                delivered.append(DeltaBuffer(
                    schemaName: buffer.schemaName, originSite: buffer.originSite, sequence: buffer.sequence, deltas: kept))
            }
        }
        pending = lastSequence > acknowledgedSequence ? PendingBatch(lastSequence: lastSequence, states: overlay) : nil
        return RoutedBatch(buffers: delivered, lastSequence: lastSequence, pendingStates: overlay, skipped: skipped)
    }
}
