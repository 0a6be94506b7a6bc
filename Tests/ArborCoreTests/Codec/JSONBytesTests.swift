@testable import ArborCore
import ArborTesting
import Foundation
import Testing

/// The JSON text Arbor writes without `JSONEncoder` must be exactly what `JSONEncoder` writes
/// (`.sortedKeys`, `.withoutEscapingSlashes`) for the same documented shapes: this file builds
/// those shapes as plain JSON values and lets the encoder be the oracle.
@Suite("JSONBytes")
struct JSONBytesTests {
    let schema = Fixtures.retailSchema

    @Test("strings: every control character, quotes, backslash, slash and non-ASCII text")
    func strings() throws {
        var controls = ""
        for code in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(code))) }
        let samples = ["", "plain", controls, "\u{7F}/\"\\é 北京 🚀👩‍👩‍👧 \u{2028}", "a\"b\\c\nd", "\\\\\"\"", "end\u{1}"]
        for sample in samples {
            var json = JSONBytes()
            json.string(sample)
            #expect(json.bytes == Array(try ReferenceJSON.string(sample).encoded()), "\(sample.debugDescription)")
        }
    }

    @Test("numbers, booleans, null and tech-ids")
    func scalars() throws {
        for number: Int64 in [.min, .max, 0, -1, 1, 9, 10, -10, 1_700_000_000_000_000] {
            var json = JSONBytes()
            json.integer(number)
            #expect(json.bytes == Array(try ReferenceJSON.integer(number).encoded()), "\(number)")
        }
        for number in [0.0, -0.0, 1.0, 100.0, 0.1, -1.5, 1e300, 1e16, 1e20, 1e-7, 5e-324, .greatestFiniteMagnitude, 123_456_789.125] {
            var json = JSONBytes()
            json.double(number)
            #expect(json.bytes == Array(try ReferenceJSON.double(number).encoded()), "\(number)")
        }
        var json = JSONBytes()
        json.bool(true)
        json.bool(false)
        json.null()
        #expect(json.bytes == Array("truefalsenull".utf8))
        var random = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let id = UUID(uuid: (
                .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random),
                .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random),
                .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random),
                .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random), .random(in: 0...255, using: &random)
            ))
            var json = JSONBytes()
            json.uuid(id)
            #expect(json.bytes == Array("\"\(id.uuidString)\"".utf8))
        }
    }

    @Test("delta buffers are written as JSONEncoder writes their documented shape", arguments: [UInt64(11), 12, 13])
    func deltaBuffers(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        var buffers = [DeltaBufferSamples.rich()]
        for _ in 0..<60 { buffers.append(random.buffer()) }
        for (index, buffer) in buffers.enumerated() {
            let written = try DeltaBufferJSON.encode(buffer, schema: schema)
            #expect(written == (try ReferenceJSON.buffer(buffer).encoded()), "seed \(seed), buffer \(index)")
        }
    }

    @Test("append bodies are written as JSONEncoder writes their documented shape", arguments: [UInt64(21), 22])
    func appendBodies(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        for index in 0..<40 {
            let writes = (0..<Int.random(in: 0...4, using: &random.rng)).map { _ in Self.write(from: random.delta(), using: &random.rng) }
            let written = try EntityWriteJSON.encode(writes, schema: schema)
            #expect(written == (try ReferenceJSON.writes(writes).encoded()), "seed \(seed), body \(index)")
            let decoded = try EntityWriteJSON.decode(written, schema: schema)
            #expect(try EntityWriteJSON.encode(decoded, schema: schema) == written, "seed \(seed), body \(index) round trip")
        }
    }

    /// An application write carrying a random delta's class, ids, topics and values.
    static func write(from delta: Delta, using random: inout SeededGenerator) -> EntityWrite {
        let kinds: [EntityWrite.Kind] = [.create(inCache: true), .create(inCache: false), .update, .delete, .purge]
        let kind = kinds[Int.random(in: 0..<kinds.count, using: &random)]
        let topics: TopicsList? = if case .create = kind { delta.topics } else { Bool.random(using: &random) ? delta.topics : nil }
        return EntityWrite(
            kind, entityClass: delta.entityClass, techId: delta.techId, topics: topics,
            fields: delta.fields.filter { $0.key != FieldDefinition.deleted.name }.mapValues(\.value),
            subEntities: delta.subEntities.map { SubEntityWrite($0.operation, collection: $0.collection, techId: $0.techId, parentId: $0.parentId, fields: $0.fields.mapValues(\.value)) }
        )
    }
}

/// A JSON value for `JSONEncoder` to write: the oracle of ``JSONBytesTests``.
indirect enum ReferenceJSON: Encodable {
    case object([String: ReferenceJSON])
    case array([ReferenceJSON])
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case null

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let members): try container.encode(members)
        case .array(let items): try container.encode(items)
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The shape documented on ``DeltaBufferJSON``.
    static func buffer(_ buffer: DeltaBuffer) -> ReferenceJSON {
        .object([
            "schemaName": .string(buffer.schemaName), "originSite": .string(buffer.originSite), "sequence": .integer(buffer.sequence),
            "deltas": .array(buffer.deltas.map(delta)),
        ])
    }

    static func delta(_ delta: Delta) -> ReferenceJSON {
        .object([
            "op": .string(delta.operation.description), "class": .string(delta.entityClass), "techId": .string(delta.techId.uuidString),
            "updateTime": .integer(delta.updateTime.microseconds), "topics": .string(delta.topics.formatted),
            "oldTopics": delta.oldTopics.map { .string($0.formatted) } ?? .null,
            "topicsTime": delta.topicsTime.map { .integer($0.microseconds) } ?? .null, "inCache": .bool(delta.inCache),
            "registration": delta.registration.map { .string($0.wireName) } ?? .null,
            "fields": timedFields(delta.fields),
            "subEntities": .array(delta.subEntities.map { sub in
                var members: [String: ReferenceJSON] = [
                    "op": .string(sub.operation.description), "collection": .string(sub.collection), "techId": .string(sub.techId.uuidString),
                    "parentId": .string(sub.parentId.uuidString), "fields": timedFields(sub.fields),
                ]
                if let deletedTime = sub.deletedTime { members["deletedTime"] = .integer(deletedTime.microseconds) }
                return .object(members)
            }),
        ])
    }

    /// The shape documented on ``EntityWriteJSON``.
    static func writes(_ writes: [EntityWrite]) -> ReferenceJSON {
        .object(["writes": .array(writes.map { write in
            var members: [String: ReferenceJSON] = [
                "class": .string(write.entityClass), "techId": .string(write.techId.uuidString), "fields": .object(write.fields.mapValues(value)),
                "subEntities": .array(write.subEntities.map { sub in
                    .object([
                        "op": .string(sub.operation.description), "collection": .string(sub.collection), "techId": .string(sub.techId.uuidString),
                        "parentId": .string(sub.parentId.uuidString), "fields": .object(sub.fields.mapValues(value)),
                    ])
                }),
            ]
            switch write.kind {
            case .create(let inCache):
                members["kind"] = .string("create")
                members["inCache"] = .bool(inCache)
            case .update: members["kind"] = .string("update")
            case .delete: members["kind"] = .string("delete")
            case .purge: members["kind"] = .string("purge")
            }
            if let topics = write.topics { members["topics"] = .string(topics.formatted) }
            return .object(members)
        })])
    }

    static func timedFields(_ fields: [String: TimedValue]) -> ReferenceJSON {
        .object(fields.mapValues { .object(["value": value($0.value), "time": .integer($0.time.microseconds)]) })
    }

    static func value(_ value: FieldValue) -> ReferenceJSON {
        switch value {
        case .null: return .null
        case .uuid(let id): return .string(id.uuidString)
        case .text(let text), .json(let text): return .string(text)
        case .int(let number): return .integer(Int64(number))
        case .bigint(let number), .timestamp(let number): return .integer(number)
        case .double(let number):
            if number.isNaN { return .string("NaN") }
            if number.isInfinite { return .string(number < 0 ? "-Infinity" : "Infinity") }
            return .double(number)
        case .bool(let flag): return .bool(flag)
        case .bytes(let data): return .string(data.base64EncodedString())
        }
    }
}
