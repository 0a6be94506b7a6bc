import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DeltaBufferCodec round trips")
struct DeltaBufferCodecTests {
    let schema = Fixtures.retailSchema

    func roundTrip(_ buffer: DeltaBuffer) throws -> DeltaBuffer {
        let bytes = try DeltaBufferCodec.encode(buffer, schema: schema)
        return try DeltaBufferCodec.decode(bytes, schema: schema)
    }

    @Test("the rich sample round-trips: both classes, old topics, nested sub-entities, REGISTER")
    func richSample() throws {
        let buffer = DeltaBufferSamples.rich()
        #expect(try roundTrip(buffer) == buffer)
    }

    @Test("every delta operation round-trips", arguments: DeltaOperation.allCases)
    func operations(_ operation: DeltaOperation) throws {
        var buffer = DeltaBufferSamples.single(operation, fields: ["vip": TimedValue(.bool(true), at: Fixtures.time(999))])
        buffer.deltas[0].registration = operation == .register ? .registerIfUnregistered : nil
        let decoded = try roundTrip(buffer)
        #expect(decoded == buffer)
        #expect(decoded.deltas.first?.operation == operation)
    }

    @Test("every registration change round-trips", arguments: [RegistrationChange.registerIfUnregistered, .desynchronize, .synchronize, .unregister])
    func registrations(_ change: RegistrationChange) throws {
        let buffer = DeltaBuffer(schemaName: schema.name, originSite: "center", sequence: 3, deltas: [
            .register(entityClass: "Customer", techId: Fixtures.id(3), updateTime: Fixtures.time(5), namingTopic: "#N1", change: change)
        ])
        #expect(try roundTrip(buffer).deltas.first?.registration == change)
    }

    static let edgeValues: [(field: String, value: FieldValue)] = [
        ("customerId", .uuid(UUID(uuid: (0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)))),
        ("customerId", .uuid(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))),
        ("status", .text("")), ("status", .text("Zoë 北京 🚀👩‍👩‍👧 \u{1}")),
        ("priority", .int(.min)), ("priority", .int(.max)), ("priority", .int(0)), ("priority", .null),
        ("number", .bigint(.min)), ("number", .bigint(.max)), ("number", .bigint(-1)),
        ("placedAt", .timestamp(.min)), ("placedAt", .timestamp(.max)), ("placedAt", .timestamp(1_700_000_000_123_456)),
        ("attachment", .bytes(Data())), ("attachment", .bytes(Data((0...255).map { UInt8($0) }))), ("attachment", .null),
        ("extra", .json("{\"a\": [1, null]}")), ("extra", .json("")), ("extra", .null),
        ("deleted", .bool(true)), ("deleted", .bool(false)),
    ]

    @Test("every field type round-trips, edge values and nulls included", arguments: edgeValues)
    func fieldValues(field: String, value: FieldValue) throws {
        var buffer = DeltaBufferSamples.single(.full)
        buffer.deltas[0].entityClass = "Order"
        buffer.deltas[0].fields = [field: TimedValue(value, at: Fixtures.time(-5))]
        #expect(try roundTrip(buffer) == buffer)
    }

    @Test("doubles keep their exact bits: -0.0, NaN payloads, infinities, subnormals", arguments: [
        (-0.0).bitPattern, Double.nan.bitPattern, 0x7FF0_0000_0000_0001, 0xFFF8_0000_DEAD_BEEF,
        Double.infinity.bitPattern, (-Double.infinity).bitPattern, Double.leastNonzeroMagnitude.bitPattern,
        Double.greatestFiniteMagnitude.bitPattern,
    ])
    func doubleBits(bits: UInt64) throws {
        let buffer = DeltaBufferSamples.single(.update, fields: ["creditLimit": TimedValue(.double(Double(bitPattern: bits)), at: Fixtures.time(1))])
        let decoded = try roundTrip(buffer)
        guard case .double(let number)? = decoded.deltas.first?.fields["creditLimit"]?.value else {
            Issue.record("creditLimit did not decode as a double")
            return
        }
        #expect(number.bitPattern == bits)
    }

    @Test("times far from updateTime round-trip (wrapping differences)")
    func extremeTimes() throws {
        var buffer = DeltaBufferSamples.single(.full, fields: [
            "vip": TimedValue(.bool(false), at: Fixtures.time(.max)),
            "name": TimedValue(.text("x"), at: Fixtures.time(.min)),
        ])
        buffer.deltas[0].updateTime = Fixtures.time(.min)
        buffer.deltas[0].topicsTime = Fixtures.time(.max)
        buffer.sequence = .min
        #expect(try roundTrip(buffer) == buffer)
        buffer.deltas[0].updateTime = Fixtures.time(.max)
        buffer.deltas[0].topicsTime = Fixtures.time(.min)
        buffer.sequence = .max
        #expect(try roundTrip(buffer) == buffer)
    }

    @Test("empty buffer and empty topics round-trip")
    func emptyBuffer() throws {
        let empty = DeltaBuffer(schemaName: schema.name, originSite: "", sequence: 0, deltas: [])
        #expect(try roundTrip(empty) == empty)
        var noTopics = DeltaBufferSamples.single(.create)
        noTopics.deltas[0].topics = .empty
        noTopics.deltas[0].oldTopics = .empty
        #expect(try roundTrip(noTopics) == noTopics)
    }

    @Test("the header holds magic, version, total length and the body CRC")
    func headerLayout() throws {
        let bytes = try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
        #expect(Array(bytes[0..<4]) == Array("ARBD".utf8))
        #expect(bytes[4] == 1)
        var reader = ByteReader(bytes, offset: 5)
        #expect(try reader.readUInt32() == UInt32(bytes.count))
        #expect(try reader.readUInt32() == CRC32.checksum(bytes[13...]))
        #expect(try reader.readString() == "retail-v1")
        #expect(try reader.readString() == "paris")
        #expect(try reader.readInt64() == 42)
        #expect(try reader.readVarint() == 3)
    }

    @Test("output is deterministic whatever the dictionary insertion order")
    func deterministic() throws {
        var forward: [String: TimedValue] = [:]
        var backward: [String: TimedValue] = [:]
        let names = ["deleted", "name", "email", "creditLimit", "vip"]
        let values: [FieldValue] = [.bool(false), .text("n"), .null, .double(1), .bool(true)]
        for (name, value) in zip(names, values) { forward[name] = TimedValue(value, at: Fixtures.time(3)) }
        for (name, value) in zip(names, values).reversed() { backward[name] = TimedValue(value, at: Fixtures.time(3)) }
        let first = try DeltaBufferCodec.encode(DeltaBufferSamples.single(.create, fields: forward), schema: schema)
        let second = try DeltaBufferCodec.encode(DeltaBufferSamples.single(.create, fields: backward), schema: schema)
        #expect(first == second)
    }

    @Test("decode accepts any collection of bytes, e.g. a slice or Data")
    func collectionInput() throws {
        let bytes = try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
        let padded = [0xEE] + bytes + [0xEE]
        #expect(try DeltaBufferCodec.decode(padded[1..<(padded.count - 1)], schema: schema) == DeltaBufferSamples.rich())
        #expect(try DeltaBufferCodec.decode(Data(bytes), schema: schema) == DeltaBufferSamples.rich())
    }
}
