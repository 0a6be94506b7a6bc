/// Delta buffers with the sequence the receiver holds after applying them: a load's answer
/// (create-deltas of one snapshot, stamped with its sequence, §2.2) or a fetch's (the routed
/// deltas and the last routed transaction's sequence, even when it delivered nothing, so the
/// client never reads skipped transactions again). Servers answer it and edges receive it.
public struct DeltaBatch: Hashable, Sendable {
    /// The buffers, in log order (possibly none).
    public var buffers: [DeltaBuffer]
    /// The sequence to fetch after.
    public var sequence: Int64

    public init(buffers: [DeltaBuffer], sequence: Int64) {
        self.buffers = buffers
        self.sequence = sequence
    }

    /// Every delta of every buffer, in order.
    public var deltas: [Delta] { buffers.flatMap(\.deltas) }
}
