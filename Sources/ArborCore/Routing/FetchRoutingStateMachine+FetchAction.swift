import Foundation

extension FetchRoutingStateMachine {
    /// What the caller does when a client fetches (``FetchRoutingStateMachine/fetchRequested(fromSequence:)``).
    public enum FetchAction: Hashable, Sendable {
        /// Nothing was pending: route the buffers after the requested sequence.
        case proceed
        /// The client acknowledged the pending batch: persist these final per-entity states for
        /// the client's bit, then route the buffers after the requested sequence.
        case commit([UUID: RegistrationState])
        /// The client lost the pending batch: its changes were dropped; route again from the
        /// requested sequence with the acknowledged states.
        case discardPending
        /// The client asks for deltas before the acknowledged sequence, whose registrations are
        /// already persisted: answer with an error telling it to SkipLoad or SyncLoad (§2.5).
        case rejectBehindAcknowledged(acknowledgedSequence: Int64)
        /// The client asks for a sequence it was never sent: answer with an error naming
        /// `latestSequence`, the furthest it can hold.
        case rejectAhead(latestSequence: Int64)
    }
}
