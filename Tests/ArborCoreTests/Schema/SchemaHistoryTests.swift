import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("SchemaHistory and reading buffers of older schemas")
struct SchemaHistoryTests {
    let v1 = Fixtures.retailSchema
    let v2 = Fixtures.retailSchemaV2

    @Test("applying appends an additive schema, keeps the current one, refuses a downgrade")
    func applying() throws {
        let history = try SchemaHistory(current: v1).applying(v2)
        #expect(history.schemas.map(\.name) == ["retail-v1", "retail-v2"])
        #expect(history.current == v2)
        #expect(history.isOlder("retail-v1") && !history.isOlder("retail-v2") && !history.isOlder("retail-v0"))
        #expect(try history.applying(v2) == history)
        do {
            _ = try history.applying(v1)
            Issue.record("a downgrade was accepted")
        } catch {
            #expect(error.code == .downgrade)
            #expect(error.message.hasPrefix("schema 'retail-v1' is older than the current schema 'retail-v2' of this database: downgrades are refused"))
        }
        #expect(throws: SchemaEvolutionError.self) { try SchemaHistory([v2, v1]) }
    }

    func customer(_ id: Int, phone: Bool) -> Delta {
        var fields: [String: TimedValue] = [
            "deleted": TimedValue(.bool(false), at: Fixtures.time(1)), "name": TimedValue(.text("n\(id)"), at: Fixtures.time(1)),
            "vip": TimedValue(.bool(true), at: Fixtures.time(1)),
        ]
        if phone { fields["phone"] = TimedValue(.text("555"), at: Fixtures.time(2)) }
        return Delta(
            operation: .create, entityClass: "Customer", techId: Fixtures.id(id), updateTime: Fixtures.time(2),
            topics: Fixtures.topics("A"), fields: fields,
            subEntities: phone ? [SubEntityDelta(operation: .create, collection: "notes", techId: Fixtures.id(100 + id), parentId: Fixtures.id(id),
                                                 fields: ["text": TimedValue(.text("hi"), at: Fixtures.time(2))])] : []
        )
    }

    @Test("a v1 record decodes with v1 from the history and reads as a v2 buffer")
    func olderRecordsDecode() throws {
        let history = try SchemaHistory([v1, v2])
        let bytes = try DeltaBufferCodec.encode(Samples.buffer([customer(1, phone: false)], sequence: 7, schemaName: v1.name), schema: v1)
        #expect(try DeltaBufferCodec.schemaName(of: bytes) == "retail-v1")
        // Without the history the v2 site cannot read it at all (the defect of issue 10 item 9).
        #expect(throws: DeltaCodecError.self) { try DeltaBufferCodec.decode(bytes, schema: v2) }
        let read = try DeltaBufferCodec.decode(bytes, history: history)
        #expect(read.schemaName == "retail-v2")
        #expect(read.deltas == [customer(1, phone: false)])

        let unknown = try DeltaBufferCodec.encode(Samples.buffer([customer(1, phone: false)], sequence: 7, schemaName: "retail-v1"), schema: v1)
        #expect(throws: DeltaCodecError.self) { try DeltaBufferCodec.decode(unknown, history: SchemaHistory(current: v2)) }
    }

    @Test("projection onto v1 drops v2-only fields, collections and classes, keeping the sequence")
    func projection() throws {
        let supplier = Delta(
            operation: .create, entityClass: "Supplier", techId: Fixtures.id(9), updateTime: Fixtures.time(3), topics: Fixtures.topics("A"),
            fields: ["deleted": TimedValue(.bool(false), at: Fixtures.time(3)), "name": TimedValue(.text("s"), at: Fixtures.time(3))]
        )
        let buffer = Samples.buffer([customer(1, phone: true), supplier], sequence: 12, schemaName: v2.name)
        let projected = buffer.projected(onto: v1)
        #expect(projected.schemaName == "retail-v1" && projected.sequence == 12)
        #expect(projected.deltas == [customer(1, phone: false)])
        // What is left is a valid v1 buffer: it encodes and decodes under v1.
        let bytes = try DeltaBufferCodec.encode(projected, schema: v1)
        #expect(try DeltaBufferCodec.decode(bytes, schema: v1) == projected)
        #expect(Samples.buffer([supplier], sequence: 13, schemaName: v2.name).projected(onto: v1).deltas.isEmpty)
    }

    @Test("lifting refuses a delta the newer schema cannot hold")
    func liftingChecks() throws {
        let stranger = try DistributionSchema(name: "retail-x", classes: [EntityClass(name: "Lead", fields: [])])
        let buffer = Samples.buffer([customer(1, phone: false)], sequence: 1, schemaName: v1.name)
        #expect(try buffer.lifted(to: v2).deltas == buffer.deltas)
        #expect(throws: DeltaCodecError.self) { try buffer.lifted(to: stranger) }
    }
}
