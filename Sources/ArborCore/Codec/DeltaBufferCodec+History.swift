extension DeltaBufferCodec {
    /// The schema name a buffer is stamped with, read from its header without decoding the
    /// deltas (the CRC is checked by the full decode).
    public static func schemaName(of bytes: some Collection<UInt8>) throws(DeltaCodecError) -> String {
        let all = Array(bytes)
        guard try declaredLength(all.prefix(headerSize), maxBufferSize: .max) != nil, all.count >= headerSize else {
            throw .truncated(reading: "header", at: all.count)
        }
        var reader = ByteReader(all)
        _ = try reader.readBytes(count: headerSize, "header")
        return try reader.readString("schema name")
    }

    /// Decodes a buffer with the schema of `history` named in it, then lifts it to the current
    /// schema (``DeltaBuffer/lifted(to:)``), so callers see one schema whatever the record's age.
    /// A name the history does not hold is ``DeltaCodecError/Code/schemaMismatch``.
    public static func decode(
        _ bytes: some Collection<UInt8>, history: SchemaHistory, maxBufferSize: Int = defaultMaxBufferSize
    ) throws(DeltaCodecError) -> DeltaBuffer {
        let name = try schemaName(of: bytes)
        guard let schema = history.schema(named: name) else {
            throw DeltaCodecError(
                code: .schemaMismatch,
                message: "buffer uses schema '\(name)', which site history [\(history.schemas.map(\.name).joined(separator: ", "))] does not hold: upgrade this site first"
            )
        }
        let buffer = try decode(bytes, schema: schema, maxBufferSize: maxBufferSize)
        return try buffer.lifted(to: history.current)
    }
}
