import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DeltaBufferCodec encode validation")
struct DeltaBufferCodecEncodeValidationTests {
    let schema = Fixtures.retailSchema

    static let invalidBuffers: [(label: String, buffer: DeltaBuffer)] = {
        func order(fields: [String: TimedValue] = [:], subs: [SubEntityDelta] = []) -> DeltaBuffer {
            DeltaBuffer(schemaName: "retail-v1", originSite: "center", sequence: 1, deltas: [
                Delta(operation: .full, entityClass: "Order", techId: Fixtures.id(1), updateTime: Fixtures.time(1),
                      topics: Fixtures.topics("A"), fields: fields, subEntities: subs)
            ])
        }
        let at = Fixtures.time(1)
        var unknownClass = order()
        unknownClass.deltas[0].entityClass = "Invoice"
        return [
            ("unknown class", unknownClass),
            ("unknown field", order(fields: ["colour": TimedValue(.text("red"), at: at)])),
            ("type mismatch", order(fields: ["priority": TimedValue(.bigint(1), at: at)])),
            ("text in a uuid field", order(fields: ["customerId": TimedValue(.text("x"), at: at)])),
            ("null in non-nullable", order(fields: ["status": TimedValue(.null, at: at)])),
            ("null deleted flag", order(fields: ["deleted": TimedValue(.null, at: at)])),
            ("unknown collection", order(subs: [SubEntityDelta(operation: .create, collection: "taxes", techId: Fixtures.id(2), parentId: Fixtures.id(1))])),
            ("unknown sub-entity field", order(subs: [SubEntityDelta(
                operation: .create, collection: "lines", techId: Fixtures.id(2), parentId: Fixtures.id(1),
                fields: ["code": TimedValue(.text("VAT"), at: at)]
            )])),
            ("sub-entity type mismatch", order(subs: [SubEntityDelta(
                operation: .update, collection: "lines.taxes", techId: Fixtures.id(2), parentId: Fixtures.id(1),
                fields: ["rate": TimedValue(.int(20), at: at)]
            )])),
        ]
    }()

    @Test("invalid deltas are rejected by both encoders, before anything is encoded", arguments: invalidBuffers)
    func rejects(label: String, buffer: DeltaBuffer) {
        #expect(throws: DeltaCodecError.self, "\(label)") { try DeltaBufferCodec.encode(buffer, schema: schema) }
        do {
            _ = try DeltaBufferCodec.encode(buffer, schema: schema)
        } catch {
            #expect(error.code == .invalidAgainstSchema, "\(label): \(error)")
            #expect(error.message.contains("delta 0"), "\(label): \(error)")
        }
        do {
            _ = try DeltaBufferJSON.encode(buffer, schema: schema)
            Issue.record("JSON encoder accepted \(label)")
        } catch {
            #expect(error.code == .invalidAgainstSchema, "\(label): \(error)")
        }
    }

    @Test("a buffer stamped with another schema name is not encoded with this schema")
    func schemaNameMismatch() {
        var buffer = DeltaBufferSamples.rich()
        buffer.schemaName = "retail-v0"
        #expect { try DeltaBufferCodec.encode(buffer, schema: schema) } throws: {
            ($0 as? DeltaCodecError)?.code == .schemaMismatch
        }
    }

    @Test("a topic starting with a combining mark reads back (lists split on scalars, not characters)")
    func combiningMarkTopics() throws {
        var buffer = DeltaBufferSamples.single(.create)
        buffer.deltas[0].topics = try TopicsList(["\u{301}B", "A"])
        buffer.deltas[0].oldTopics = try TopicsList(["\u{301}B"])
        #expect(try DeltaBufferCodec.decode(try DeltaBufferCodec.encode(buffer, schema: schema), schema: schema) == buffer)
        #expect(try DeltaBufferJSON.decode(try DeltaBufferJSON.encode(buffer, schema: schema), schema: schema) == buffer)
    }

    @Test("error messages name the field, never its value")
    func messagesHideValues() {
        let buffer = DeltaBufferSamples.single(.update, fields: ["vip": TimedValue(.text("SECRET-VALUE"), at: Fixtures.time(1))])
        do {
            _ = try DeltaBufferCodec.encode(buffer, schema: schema)
            Issue.record("type mismatch was encoded")
        } catch {
            #expect(error.description.contains("vip"))
            #expect(!error.description.contains("SECRET-VALUE"))
        }
    }
}
