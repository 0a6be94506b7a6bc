import Foundation

/// The result of routing a run of delta buffers for one client: what to send, and the
/// registration states that become true once the client acknowledges it.
public struct RoutedBatch: Hashable, Sendable {
    /// The delivered deltas, grouped per original buffer (same sequence, schema name and origin),
    /// in log order. Buffers with no delivered delta are left out.
    public var buffers: [DeltaBuffer]
    /// The sequence the client reaches with this batch: the last routed buffer's sequence, even
    /// when that buffer delivered nothing, so the client never re-reads skipped transactions.
    public var lastSequence: Int64
    /// Final registration state per entity whose registration the batch changes; persisted only
    /// when the client acknowledges `lastSequence` (DESIGN rule 3).
    public var pendingStates: [UUID: RegistrationState]
    /// How many deltas were not sent, per reason (for logs and metrics).
    public var skipped: [SkipReason: Int]

    /// Creates a batch.
    public init(
        buffers: [DeltaBuffer], lastSequence: Int64,
        pendingStates: [UUID: RegistrationState] = [:], skipped: [SkipReason: Int] = [:]
    ) {
        self.buffers = buffers
        self.lastSequence = lastSequence
        self.pendingStates = pendingStates
        self.skipped = skipped
    }

    /// The delivered deltas in order, across buffers.
    public var deliveredDeltas: [Delta] { buffers.flatMap(\.deltas) }

    /// Whether no delta is delivered (the client still advances to `lastSequence`).
    public var isEmpty: Bool { buffers.isEmpty }
}
