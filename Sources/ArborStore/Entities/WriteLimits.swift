import ArborCore

/// The bounds the entities sub-system puts on what it commits (issue 10 items 7 and 8), set
/// from the serve configuration (`maximumTransactionBytes`, `maximumClockSkewSeconds`).
public struct WriteLimits: Sendable, Hashable {
    /// The default transaction size: the delta-buffer codec's default maximum (16 MiB).
    public static let defaultMaximumTransactionBytes = DeltaBufferCodec.defaultMaxBufferSize

    /// The largest encoded delta buffer one transaction may commit. Every decoder of the tree
    /// (log readers, loads, the link and the edges) accepts buffers of this size.
    public var maximumTransactionBytes: Int
    /// How far ahead of this site's wall clock a received time may be (microseconds).
    public var maximumClockSkewMicroseconds: Int64

    public init(
        maximumTransactionBytes: Int = defaultMaximumTransactionBytes,
        maximumClockSkewMicroseconds: Int64 = HybridClock.defaultMaximumAheadMicroseconds
    ) {
        self.maximumTransactionBytes = maximumTransactionBytes
        self.maximumClockSkewMicroseconds = maximumClockSkewMicroseconds
    }
}
