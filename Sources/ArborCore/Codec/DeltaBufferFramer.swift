/// Splits a byte stream holding several delta buffers back to back (an HTTP body) into whole
/// buffers, however the bytes arrive.
///
/// Feed bytes with ``append(_:)`` as they come, then call ``nextFrame()`` until it returns nil
/// (more bytes needed). A frame is returned once its declared length is complete; it is only
/// framed, not decoded (pass it to ``DeltaBufferCodec/decode(_:schema:maxBufferSize:)``).
/// A stream that does not start with the magic, or declares a frame above `maxBufferSize`, is
/// rejected as soon as the first 9 bytes of that frame are known, without waiting for (or
/// buffering) its body. After an error the stream cannot be resynchronised: drop it.
public struct DeltaBufferFramer: Sendable {
    /// The largest frame accepted.
    public let maxBufferSize: Int
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already handed out; they are dropped lazily to keep appends cheap.
    private var consumed = 0
    /// Bytes removed from the front of `buffer`, so errors can give offsets in the whole stream.
    private var dropped = 0

    /// A framer accepting frames of at most `maxBufferSize` bytes.
    public init(maxBufferSize: Int = DeltaBufferCodec.defaultMaxBufferSize) {
        self.maxBufferSize = maxBufferSize
    }

    /// How many received bytes are not yet part of a returned frame.
    public var bufferedByteCount: Int { buffer.count - consumed }

    /// Adds bytes received from the stream.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if consumed > 0, consumed >= buffer.count / 2 {
            buffer.removeFirst(consumed)
            dropped += consumed
            consumed = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    ///
    /// Throws ``DeltaCodecError/Code/badMagic`` as soon as the received bytes differ from the
    /// magic, ``DeltaCodecError/Code/oversized`` as soon as a declared length above
    /// `maxBufferSize` is known, and ``DeltaCodecError/Code/malformed`` for a declared length
    /// shorter than a header.
    public mutating func nextFrame() throws(DeltaCodecError) -> [UInt8]? {
        let pending = buffer[consumed...]
        guard let length = try DeltaBufferCodec.declaredLength(pending.prefix(DeltaBufferCodec.lengthPrefixSize), maxBufferSize: maxBufferSize),
              pending.count >= length
        else { return nil }
        let frame = Array(pending.prefix(length))
        consumed += length
        return frame
    }

    /// Call at the end of the stream: throws ``DeltaCodecError/Code/truncated`` when bytes of an
    /// incomplete frame are left over.
    public func finish() throws(DeltaCodecError) {
        guard bufferedByteCount == 0 else {
            throw .truncated(reading: "a delta buffer at the end of the stream (\(bufferedByteCount) bytes left over)", at: dropped + buffer.count)
        }
    }
}
