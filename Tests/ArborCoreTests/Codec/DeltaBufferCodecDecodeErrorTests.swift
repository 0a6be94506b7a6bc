import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DeltaBufferCodec decode rejections")
struct DeltaBufferCodecDecodeErrorTests {
    let schema = Fixtures.retailSchema

    func decodeError(_ bytes: [UInt8], maxBufferSize: Int = 16 << 20) -> DeltaCodecError? {
        do {
            _ = try DeltaBufferCodec.decode(bytes, schema: schema, maxBufferSize: maxBufferSize)
            return nil
        } catch {
            return error
        }
    }

    func valid() throws -> [UInt8] {
        try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
    }

    /// A one-delta body: Customer header, then `fields` written by the closure, then no sub-entities.
    func customerBody(op: UInt8 = 2, classIndex: Int = 0, topics: String = ",A,", fields: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = DeltaBufferSamples.bodyStart()
        DeltaBufferSamples.writeCustomerHeader(into: &writer, op: op, classIndex: classIndex, topics: topics)
        fields(&writer)
        writer.writeVarint(0)
        return DeltaBufferSamples.framed(body: writer.bytes)
    }

    @Test("a hand-built body decodes, so the rejections below test one thing each")
    func handBuiltBaseline() throws {
        let bytes = customerBody { writer in
            writer.writeVarint(1)
            writer.writeVarint(4)  // vip
            writer.writeSignedVarint(0)
            writer.writeUInt8(1)
            writer.writeUInt8(1)
        }
        let buffer = try DeltaBufferCodec.decode(bytes, schema: schema)
        #expect(buffer.deltas.first?.fields["vip"] == TimedValue(.bool(true), at: Fixtures.time(1000)))
    }

    @Test("a NUL in a text value is refused, as encoding refuses it (issue 11 item 7)")
    func nulInText() throws {
        func body(_ text: String) -> [UInt8] {
            customerBody { writer in
                writer.writeVarint(1)
                writer.writeVarint(1)  // name (text; index 0 is the deleted flag)
                writer.writeSignedVarint(0)
                writer.writeUInt8(1)
                writer.writeString(text)
            }
        }
        #expect(decodeError(body("ab")) == nil, "the same body without the NUL decodes")
        let error = try #require(decodeError(body("a\u{0}b")))
        #expect(error.code == .invalidAgainstSchema)
        #expect(error.description.contains("NUL"), "\(error)")
        // The encoder refuses the same value.
        var delta = try #require(try DeltaBufferCodec.decode(body("ab"), schema: schema).deltas.first)
        delta.fields["name"] = TimedValue(.text("a\u{0}b"), at: Fixtures.time(1000))
        #expect(throws: DeltaCodecError.self) {
            try DeltaBufferCodec.encode(Samples.buffer([delta], sequence: 1, schemaName: schema.name), schema: schema)
        }
    }

    @Test("bad magic, unsupported version")
    func header() throws {
        var bytes = try valid()
        bytes[0] = UInt8(ascii: "X")
        #expect(decodeError(bytes)?.code == .badMagic)
        #expect(decodeError(Array("GET / HTTP/1.1\r\n".utf8))?.code == .badMagic)
        #expect(decodeError(DeltaBufferSamples.framed(body: [], version: 2))?.code == .unsupportedVersion)
    }

    @Test("declared length must equal the actual length")
    func lengthMismatch() throws {
        let bytes = try valid()
        #expect(decodeError(bytes + [0])?.code == .malformed)
        #expect(decodeError(Array(bytes.dropLast()))?.code == .truncated)
        var short = bytes
        short[8] = 5  // declares fewer bytes than the header itself
        short[5] = 0; short[6] = 0; short[7] = 0
        #expect(decodeError(short)?.code == .malformed)
    }

    @Test("an oversized declared length is rejected from the header alone")
    func oversized() throws {
        let header: [UInt8] = Array("ARBD".utf8) + [1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(decodeError(header)?.code == .oversized)
        #expect(decodeError(try valid(), maxBufferSize: 20)?.code == .oversized)
    }

    @Test("a damaged body fails the checksum")
    func checksum() throws {
        var bytes = try valid()
        bytes[bytes.count / 2] ^= 0x10
        #expect(decodeError(bytes)?.code == .checksumMismatch)
    }

    @Test("another schema name is the distinct schemaMismatch error")
    func schemaMismatch() throws {
        let body = DeltaBufferSamples.bodyStart(schemaName: "retail-v2", deltaCount: 0).bytes
        let error = decodeError(DeltaBufferSamples.framed(body: body))
        #expect(error?.code == .schemaMismatch)
        #expect(error == .schemaMismatch(expected: "retail-v1", found: "retail-v2"))
        #expect(error?.description.contains("retail-v2") == true)
    }

    @Test("unknown operation or class index")
    func unknownOperationOrClass() {
        #expect(decodeError(customerBody(op: 0) { $0.writeVarint(0) })?.code == .malformed)
        #expect(decodeError(customerBody(op: 7) { $0.writeVarint(0) })?.code == .malformed)
        #expect(decodeError(customerBody(classIndex: 2) { $0.writeVarint(0) })?.code == .malformed)
    }

    @Test("unknown or duplicate field index")
    func fieldIndexes() {
        let unknown = customerBody { writer in
            writer.writeVarint(1); writer.writeVarint(5); writer.writeSignedVarint(0); writer.writeUInt8(0)
        }
        #expect(decodeError(unknown)?.code == .malformed)
        let duplicate = customerBody { writer in
            writer.writeVarint(2)
            for _ in 0..<2 { writer.writeVarint(4); writer.writeSignedVarint(0); writer.writeUInt8(1); writer.writeUInt8(0) }
        }
        #expect(decodeError(duplicate)?.code == .malformed)
    }

    @Test("invalid flag and enum bytes", arguments: [UInt8(2), 0xFF])
    func invalidFlags(byte: UInt8) {
        let badBool = customerBody { writer in
            writer.writeVarint(1); writer.writeVarint(4); writer.writeSignedVarint(0); writer.writeUInt8(1); writer.writeUInt8(byte)
        }
        #expect(decodeError(badBool)?.code == .malformed)
        let badPresence = customerBody { writer in
            writer.writeVarint(1); writer.writeVarint(4); writer.writeSignedVarint(0); writer.writeUInt8(byte)
        }
        #expect(decodeError(badPresence)?.code == .malformed)
        var writer = DeltaBufferSamples.bodyStart()
        DeltaBufferSamples.writeCustomerHeader(into: &writer)
        var bytes = writer.bytes
        bytes[bytes.count - 1] = byte == 2 ? 9 : byte  // registration byte: 0...4 allowed
        bytes += [0, 0]
        #expect(decodeError(DeltaBufferSamples.framed(body: bytes))?.code == .malformed)
    }

    @Test("invalid topics text", arguments: ["A", ",A,,B,", ",A*B,", ",TimeWindow60,"])
    func invalidTopics(text: String) {
        #expect(decodeError(customerBody(topics: text) { $0.writeVarint(0) })?.code == .malformed)
    }

    @Test("a 32-bit int field holding a larger number")
    func intOutOfRange() {
        var writer = DeltaBufferSamples.bodyStart()
        writer.writeUInt8(2); writer.writeVarint(1); writer.writeUUID(Fixtures.id(1)); writer.writeSignedVarint(0)
        writer.writeString(",A,"); writer.writeBytes([0, 0, 1, 0])
        writer.writeVarint(1); writer.writeVarint(4); writer.writeSignedVarint(0); writer.writeUInt8(1)  // priority
        writer.writeSignedVarint(Int64(Int32.max) + 1)
        writer.writeVarint(0)
        #expect(decodeError(DeltaBufferSamples.framed(body: writer.bytes))?.code == .malformed)
    }

    @Test("null in a non-nullable field is invalid against the schema")
    func nullNotAllowed() {
        let bytes = customerBody { writer in
            writer.writeVarint(1); writer.writeVarint(1); writer.writeSignedVarint(0); writer.writeUInt8(0)  // name = null
        }
        #expect(decodeError(bytes)?.code == .invalidAgainstSchema)
    }

    @Test("unknown collection index in a sub-entity")
    func unknownCollection() {
        var writer = DeltaBufferSamples.bodyStart()
        writer.writeUInt8(2); writer.writeVarint(1); writer.writeUUID(Fixtures.id(1)); writer.writeSignedVarint(0)
        writer.writeString(",A,"); writer.writeBytes([0, 0, 1, 0])
        writer.writeVarint(0)  // no fields
        writer.writeVarint(1)  // one sub-entity
        writer.writeUInt8(1); writer.writeVarint(2)  // Order has 2 collections (lines, lines.taxes)
        writer.writeUUID(Fixtures.id(2)); writer.writeUUID(Fixtures.id(1)); writer.writeVarint(0)
        #expect(decodeError(DeltaBufferSamples.framed(body: writer.bytes))?.code == .malformed)
    }

    @Test("bytes after the last delta")
    func trailingBytes() {
        var body = DeltaBufferSamples.bodyStart(deltaCount: 0).bytes
        body.append(0)
        #expect(decodeError(DeltaBufferSamples.framed(body: body))?.code == .malformed)
    }
}
