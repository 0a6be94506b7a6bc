import ArborCore

/// The answer to a fetch: the routed delta buffers and the client's position after them.
public struct FetchAnswer: Hashable, Sendable {
    /// The delivered deltas, grouped per transaction, in log order (possibly none).
    public var buffers: [DeltaBuffer]
    /// The sequence the client holds after applying `buffers`: the last routed transaction's,
    /// even when it delivered nothing, so the client never reads skipped transactions again.
    public var sequence: Int64

    /// Creates an answer.
    public init(buffers: [DeltaBuffer], sequence: Int64) {
        self.buffers = buffers
        self.sequence = sequence
    }
}
