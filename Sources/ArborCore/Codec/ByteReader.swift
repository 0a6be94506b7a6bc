/// Reads the primitive encodings written by ``ByteWriter`` from a byte array, never trusting it.
///
/// Every read checks the bytes that remain first, so truncated input, over-long varints,
/// invalid UTF-8 or a declared length larger than what is left throw a ``DeltaCodecError``
/// instead of trapping; a huge declared length never allocates.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    /// The position of the next byte to read.
    public private(set) var offset: Int

    /// A reader over `bytes`, positioned at `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// How many bytes are left to read.
    public var remaining: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// Reads one byte.
    public mutating func readUInt8(_ what: @autoclosure () -> String = "byte") throws(DeltaCodecError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(reading: what(), at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads 4 big-endian bytes.
    public mutating func readUInt32(_ what: @autoclosure () -> String = "32-bit integer") throws(DeltaCodecError) -> UInt32 {
        let raw = try readBytes(count: 4, what())
        return raw.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// Reads 8 big-endian bytes.
    public mutating func readUInt64(_ what: @autoclosure () -> String = "64-bit integer") throws(DeltaCodecError) -> UInt64 {
        let raw = try readBytes(count: 8, what())
        return raw.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Reads 8 big-endian two's-complement bytes.
    public mutating func readInt64(_ what: @autoclosure () -> String = "64-bit integer") throws(DeltaCodecError) -> Int64 {
        Int64(bitPattern: try readUInt64(what()))
    }

    /// Reads an unsigned LEB128 varint; rejects encodings longer than 10 bytes, bits beyond 64,
    /// and non-minimal encodings (a trailing zero group), so every value has exactly one form.
    public mutating func readVarint(_ what: @autoclosure () -> String = "varint") throws(DeltaCodecError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        for index in 0..<10 {
            let byte = try readUInt8(what())
            let group = UInt64(byte & 0x7F)
            if index == 9, byte > 0x01 {
                throw .malformed("\(what()) at offset \(start) is an over-long varint (more than 64 bits)")
            }
            result |= group << UInt64(7 * index)
            if byte & 0x80 == 0 {
                if index > 0, byte == 0 {
                    throw .malformed("\(what()) at offset \(start) is a non-minimal varint")
                }
                return result
            }
        }
        throw .malformed("\(what()) at offset \(start) is an over-long varint (more than 10 bytes)")
    }

    /// Reads a zigzag-mapped signed varint.
    public mutating func readSignedVarint(_ what: @autoclosure () -> String = "signed varint") throws(DeltaCodecError) -> Int64 {
        Self.unzigzag(try readVarint(what()))
    }

    /// Reads a varint used as a count or length; it must not exceed the bytes left, since every
    /// counted item takes at least one byte.
    public mutating func readCount(_ what: @autoclosure () -> String = "count") throws(DeltaCodecError) -> Int {
        let start = offset
        let raw = try readVarint(what())
        guard raw <= UInt64(remaining) else {
            throw .truncated(reading: "\(what()) (declares \(raw), only \(remaining) bytes left)", at: start)
        }
        return Int(raw)
    }

    /// Reads a varint length then that many bytes as UTF-8 text.
    public mutating func readString(_ what: @autoclosure () -> String = "string") throws(DeltaCodecError) -> String {
        let start = offset
        let count = try readCount("length of \(what())")
        let raw = try readBytes(count: count, what())
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw .malformed("\(what()) at offset \(start) is not valid UTF-8")
        }
        return text
    }

    /// Reads a varint length then that many bytes.
    public mutating func readLengthPrefixedBytes(_ what: @autoclosure () -> String = "bytes") throws(DeltaCodecError) -> ArraySlice<UInt8> {
        let count = try readCount("length of \(what())")
        return try readBytes(count: count, what())
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(count: Int, _ what: @autoclosure () -> String = "bytes") throws(DeltaCodecError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(reading: what(), at: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// The inverse of ``ByteWriter/zigzag(_:)``.
    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
