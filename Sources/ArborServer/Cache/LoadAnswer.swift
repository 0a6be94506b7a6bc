import ArborCore

/// A cache server's answer to a load (§2.2–§2.4): create-deltas of the selected entities in
/// delta buffers, all stamped with the one sequence the snapshot reflects. The client applies
/// them, then fetches steady-state deltas after ``sequence``.
public struct LoadAnswer: Sendable {
    /// Buffers of create-deltas (at most `maximumDeltasPerLoadBuffer` each); empty when
    /// nothing was selected.
    public var buffers: [DeltaBuffer]
    /// The sequence of the snapshot the load was taken from.
    public var sequence: Int64

    public init(buffers: [DeltaBuffer], sequence: Int64) {
        self.buffers = buffers
        self.sequence = sequence
    }

    /// Every create-delta of the answer, in order.
    public var deltas: [Delta] { buffers.flatMap(\.deltas) }
}
