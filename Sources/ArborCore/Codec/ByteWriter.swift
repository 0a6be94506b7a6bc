/// Appends the primitive encodings of the delta-buffer format to a growing byte array.
///
/// Pure value type: no I/O, no failure modes. Multi-byte integers are big-endian; varints are
/// unsigned LEB128 (7 bits per byte, low groups first), signed ones zigzag-mapped first so that
/// small negative numbers stay short.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// A writer starting empty, with room reserved for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends `value` as 4 big-endian bytes.
    public mutating func writeUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Appends `value` as 8 big-endian bytes.
    public mutating func writeUInt64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Appends `value` as 8 big-endian two's-complement bytes.
    public mutating func writeInt64(_ value: Int64) {
        writeUInt64(UInt64(bitPattern: value))
    }

    /// Appends `value` as an unsigned LEB128 varint (1 to 10 bytes, always minimal).
    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a count or index as a varint.
    public mutating func writeVarint(_ value: Int) {
        writeVarint(UInt64(truncatingIfNeeded: value))
    }

    /// Appends `value` zigzag-mapped (0, -1, 1, -2, … → 0, 1, 2, 3, …) as a varint.
    public mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(Self.zigzag(value))
    }

    /// Appends the UTF-8 bytes of `value`, preceded by their count as a varint.
    public mutating func writeString(_ value: String) {
        let utf8 = value.utf8
        writeVarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Appends `value` preceded by its length as a varint.
    public mutating func writeLengthPrefixedBytes(_ value: some Collection<UInt8>) {
        writeVarint(value.count)
        bytes.append(contentsOf: value)
    }

    /// Appends `value` as is, without a length.
    public mutating func writeBytes(_ value: some Sequence<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// Overwrites 4 bytes at `offset` with `value` big-endian (used to patch header fields).
    /// `offset` must address 4 bytes already written.
    public mutating func patchUInt32(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "patch outside the written bytes")
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * index))
        }
    }

    /// The zigzag mapping of `value`: signed numbers of small magnitude become small unsigned ones.
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value &<< 1) ^ (value >> 63))
    }
}
