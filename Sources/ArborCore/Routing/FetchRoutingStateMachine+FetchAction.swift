import Foundation

extension FetchRoutingStateMachine {
    /// What the caller does when a client fetches (``FetchRoutingStateMachine/fetchRequested(fromSequence:)``).
    ///
    /// Every case but ``rejectBehindAcknowledged(acknowledgedSequence:)`` ends with the machine
    /// at `fromSequence`, nothing pending, ready for ``FetchRoutingStateMachine/route(buffers:acknowledged:)``.
    public enum FetchAction: Hashable, Sendable {
        /// Nothing was pending: route the buffers after the requested sequence.
        case proceed
        /// The client acknowledged the pending batch: persist these final per-entity states for
        /// the client's bit, then route the buffers after the requested sequence.
        case commit([UUID: RegistrationState])
        /// The client lost the pending batch: its changes were dropped; route again from the
        /// requested sequence with the acknowledged states.
        case discardPending
        /// The client holds a position past anything this session sent (it moved on by a load,
        /// a SkipLoad, or the answer of a fetch that a newer one superseded). Whatever was
        /// pending is dropped uncommitted, the acknowledged sequence becomes the requested one,
        /// and routing goes on from the persisted states: at worst a FULL the client already
        /// holds is sent again, never a change lost. The caller has checked that the sequence
        /// is in the log.
        case restartAhead
        /// The client asks for deltas before the acknowledged sequence, whose registration
        /// changes are already persisted (it was restored from an older copy, say): routing
        /// from there would skip FULLs it needs and send PARTIALs of entities it lacks. The
        /// state is unchanged; answer with an error telling it to SyncLoad (`TooFarBehind`).
        case rejectBehindAcknowledged(acknowledgedSequence: Int64)
    }
}
