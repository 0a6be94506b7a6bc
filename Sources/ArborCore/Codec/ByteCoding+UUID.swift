import Foundation

extension ByteWriter {
    /// Appends the 16 bytes of `value` in RFC 4122 order (the order of its string form).
    public mutating func writeUUID(_ value: UUID) {
        let raw = value.uuid
        writeBytes([
            raw.0, raw.1, raw.2, raw.3, raw.4, raw.5, raw.6, raw.7,
            raw.8, raw.9, raw.10, raw.11, raw.12, raw.13, raw.14, raw.15,
        ])
    }
}

extension ByteReader {
    /// Reads 16 bytes as a UUID (any 16 bytes are accepted, as UUID itself accepts them).
    public mutating func readUUID(_ what: @autoclosure () -> String = "uuid") throws(DeltaCodecError) -> UUID {
        let raw = Array(try readBytes(count: 16, what()))
        return UUID(uuid: (
            raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
            raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]
        ))
    }
}
