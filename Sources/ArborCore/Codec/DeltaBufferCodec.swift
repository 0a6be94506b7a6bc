/// Encodes and decodes ``DeltaBuffer``s in the binary delta-buffer format (§4.4).
///
/// Format version 1 (see `Docs/protocol-delta-buffer.md`). Integers are big-endian; `varint` is
/// unsigned LEB128 (minimal, ≤ 10 bytes); `zigzag` is a zigzag-mapped varint; `string` is a
/// varint byte count then UTF-8.
///
///     offset  size  field
///     0       4     magic "ARBD"
///     4       1     format version = 1
///     5       4     total length of the buffer, header included (u32)
///     9       4     CRC-32 (IEEE) of every byte after offset 13 (u32)
///     13      …     schema name (string), origin site (string), sequence (i64),
///                   delta count (varint), deltas
///
/// Delta: op u8 (``DeltaOperation`` raw value), class index varint (position in
/// `schema.classes`), techId 16 bytes, updateTime zigzag (µs), topics string (`,A,B,`),
/// oldTopics (u8 0/1 then string), topicsTime (u8 0/1 then zigzag difference from updateTime),
/// inCache u8 0/1, registration change u8 (0 none, 1 registerIfUnregistered, 2 desynchronize,
/// 3 synchronize, 4 unregister), fields, sub-entity count varint, sub-entities.
///
/// Sub-entity: op u8 (``SubEntityOperation`` raw value), collection index varint (position in
/// the class's pre-order `collectionPaths`), techId 16 bytes, parentId 16 bytes, deletedTime
/// (presence flag + zigzag varint delta from updateTime), fields.
///
/// Fields: count varint, then per field, in increasing index order: index varint (into
/// `storedFields` for an entity — `deleted` is 0 — or into the collection's `fields`), time as
/// zigzag difference from the delta's updateTime, presence u8 (0 null, 1 value), then the value
/// by the field's type: uuid 16 bytes; text, json string; int, bigint, timestamp zigzag; double
/// 8 bytes of IEEE-754 bits; bool u8 0/1; bytes varint length then bytes.
///
/// Time differences use wrapping arithmetic, so every `Int64` time round-trips. Decoding never
/// traps: each malformed input throws a ``DeltaCodecError``.
public enum DeltaBufferCodec {
    /// The four bytes every delta buffer starts with: `ARBD`.
    public static let magic: [UInt8] = Array("ARBD".utf8)
    /// The format version written, and the only one read.
    public static let formatVersion: UInt8 = 1
    /// Bytes before the body: magic, version, length, CRC.
    public static let headerSize = 13
    /// Bytes needed to know a buffer's total length: magic, version, length.
    public static let lengthPrefixSize = 9
    /// The default largest buffer accepted when decoding.
    public static let defaultMaxBufferSize = 16 << 20

    /// Encodes `buffer`, first checking every delta against `schema`; nothing is encoded when
    /// a delta does not fit (unknown class, field or collection, wrong type, null where not allowed).
    public static func encode(_ buffer: DeltaBuffer, schema: DistributionSchema) throws(DeltaCodecError) -> [UInt8] {
        guard buffer.schemaName == schema.name else {
            throw .schemaMismatch(expected: schema.name, found: buffer.schemaName)
        }
        var writer = ByteWriter(capacity: 256)
        writer.writeBytes(magic)
        writer.writeUInt8(formatVersion)
        writer.writeUInt32(0)  // total length, patched below
        writer.writeUInt32(0)  // CRC, patched below
        writer.writeString(buffer.schemaName)
        writer.writeString(buffer.originSite)
        writer.writeInt64(buffer.sequence)
        writer.writeVarint(buffer.deltas.count)
        var layouts = ClassLayouts(schema)
        for (number, delta) in buffer.deltas.enumerated() {
            try encode(delta, number: number, layouts: &layouts, into: &writer)
        }
        let bytes = writer.bytes
        guard let total = UInt32(exactly: bytes.count) else {
            throw DeltaCodecError(code: .oversized, message: "encoded buffer of \(bytes.count) bytes exceeds the 4 GiB format limit")
        }
        writer.patchUInt32(total, at: 5)
        writer.patchUInt32(CRC32.checksum(bytes[headerSize...]), at: 9)
        return writer.bytes
    }

    /// Decodes one whole delta buffer, checking it against `schema`.
    ///
    /// Rejects, with a typed error and before reading further: bad magic, another format
    /// version, a declared or actual size above `maxBufferSize`, a declared length different
    /// from the input's, a CRC mismatch, and another schema name (``DeltaCodecError/Code/schemaMismatch``).
    public static func decode(
        _ bytes: some Collection<UInt8>, schema: DistributionSchema, maxBufferSize: Int = defaultMaxBufferSize
    ) throws(DeltaCodecError) -> DeltaBuffer {
        let head = Array(bytes.prefix(headerSize))
        let declared = try declaredLength(head, maxBufferSize: maxBufferSize)
        guard head.count > 4 else { throw .truncated(reading: "header", at: head.count) }
        guard head[4] == formatVersion else {
            throw DeltaCodecError(
                code: .unsupportedVersion,
                message: "format version \(head[4]) is not supported (this build reads version \(formatVersion)); upgrade the reader"
            )
        }
        guard let declared, head.count == headerSize else { throw .truncated(reading: "header", at: head.count) }
        let actual = bytes.count
        guard actual <= maxBufferSize else {
            throw DeltaCodecError(code: .oversized, message: "input of \(actual) bytes exceeds the maximum of \(maxBufferSize)")
        }
        guard actual >= declared else { throw .truncated(reading: "buffer of \(declared) declared bytes", at: actual) }
        guard actual == declared else {
            throw .malformed("input holds \(actual) bytes but the header declares \(declared): \(actual - declared) trailing bytes")
        }
        let all = Array(bytes)
        var reader = ByteReader(all)
        _ = try reader.readBytes(count: 9, "header")
        let expectedCRC = try reader.readUInt32("header checksum")
        let actualCRC = CRC32.checksum(all[headerSize...])
        guard expectedCRC == actualCRC else {
            throw DeltaCodecError(
                code: .checksumMismatch,
                message: "body checksum is \(hex(actualCRC)) but the header says \(hex(expectedCRC)): the buffer was damaged"
            )
        }
        return try decodeBody(&reader, schema: schema)
    }

    /// Checks the first bytes of a buffer (any prefix, possibly shorter than a header): the
    /// magic as far as it is known, then, once 9 bytes are known, the declared total length.
    /// Returns that length, or nil while fewer than 9 bytes are known.
    static func declaredLength(_ head: some Collection<UInt8>, maxBufferSize: Int) throws(DeltaCodecError) -> Int? {
        guard head.prefix(magic.count).elementsEqual(magic.prefix(head.count)) else {
            throw DeltaCodecError(code: .badMagic, message: "input does not start with \"ARBD\": it is not a delta buffer")
        }
        guard head.count >= lengthPrefixSize else { return nil }
        let declared = head.dropFirst(5).prefix(4).reduce(0) { ($0 << 8) | Int($1) }
        guard declared <= maxBufferSize else {
            throw DeltaCodecError(code: .oversized, message: "buffer declares \(declared) bytes, more than the maximum of \(maxBufferSize)")
        }
        guard declared >= headerSize else {
            throw .malformed("buffer declares \(declared) bytes, less than its own \(headerSize)-byte header")
        }
        return declared
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
