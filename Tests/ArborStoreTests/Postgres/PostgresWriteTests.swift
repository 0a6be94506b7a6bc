import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("PostgreSQL write transactions", .enabled(if: PostgresTesting.isConfigured))
struct PostgresWriteTests {
    /// Entities whose fields cover every type with edge values, absent fields and nulls.
    static let edgeEntities: [EntityState] = {
        let extremes: [String: FieldValue] = [
            "v_uuid": .uuid(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!), "v_text": .text(""),
            "v_int": .int(.min), "v_bigint": .bigint(.min), "v_double": .double(-0.0), "v_bool": .bool(false),
            "v_timestamp": .timestamp(.min), "v_bytes": .bytes(Data()), "v_json": .json("{ \"a\" : [1, 2.50, null] }\n"),
        ]
        let others: [String: FieldValue] = [
            "v_uuid": .uuid(Fixtures.id(7)), "v_text": .text("héllo 🌳 e\u{301} 日本 \u{202E}x"),
            "v_int": .int(.max), "v_bigint": .bigint(.max), "v_double": .double(.infinity), "v_bool": .bool(true),
            "v_timestamp": .timestamp(.max), "v_bytes": .bytes(Data((0...255).map { UInt8($0) })), "v_json": .json("[]"),
        ]
        let nulls = Dictionary(uniqueKeysWithValues: FieldType.allCases.map { ("v_\($0.rawValue)", FieldValue.null) })
        var withSubs = PostgresSamples.sample(Fixtures.id(4), name: "parts", fields: ["v_double": .double(.nan)], time: .max)
        let part = SubEntityState(
            collection: "parts", techId: Fixtures.id(40), parentId: Fixtures.id(4),
            fields: ["label": TimedValue(.text("wheel"), at: Fixtures.time(5)), "weight": TimedValue(.null, at: Fixtures.time(6))]
        )
        let mark = SubEntityState(
            collection: "parts.marks", techId: Fixtures.id(41), parentId: Fixtures.id(40),
            fields: ["code": TimedValue(.int(-1), at: Fixtures.time(7))]
        )
        let tombstone = SubEntityState(
            collection: "parts", techId: Fixtures.id(42), parentId: Fixtures.id(4),
            fields: ["label": TimedValue(.text("gone"), at: Fixtures.time(3))], isDeleted: true, deletedTime: Fixtures.time(8)
        )
        let bareTombstone = SubEntityState(collection: "parts.marks", techId: Fixtures.id(43), parentId: Fixtures.id(40), fields: [:], isDeleted: true)
        withSubs.subEntities = [part.techId: part, mark.techId: mark, tombstone.techId: tombstone, bareTombstone.techId: bareTombstone]
        var minusInfinity = PostgresSamples.sample(Fixtures.id(5), fields: ["v_double": .double(-.infinity)], time: .min, inCache: false)
        minusInfinity.topics = .empty
        return [
            PostgresSamples.sample(Fixtures.id(1), name: "", fields: extremes, time: -1),
            PostgresSamples.sample(Fixtures.id(2), fields: others, topics: Fixtures.topics("A", "#B", "Ü")),
            PostgresSamples.sample(Fixtures.id(3), fields: nulls),
            withSubs,
            minusInfinity,
        ]
    }()

    @Test("write then entities round-trips every field type, edge values, nulls, absent fields and sub-entity tombstones")
    func roundTripsEveryFieldType() async throws {
        try await PostgresTesting.withStore { store in
            let keys = Set(Self.edgeEntities.map(\.key))
            let receipt = try await store.write(reading: keys) { loaded in
                #expect(loaded.isEmpty)
                return PostgresSamples.creating(Self.edgeEntities)
            }
            #expect(receipt.sequence == 1)
            let read = try await store.entities(keys)
            #expect(read.map(\.techId) == Self.edgeEntities.map(\.techId), "ordered by class, then tech-id")
            #expect(read.map(PostgresSamples.comparable) == Self.edgeEntities.map(PostgresSamples.comparable))
            // The plan sees the stored states too, and a rewrite replaces the sub-entity rows.
            _ = try await store.write(reading: [EntityKey("Sample", Fixtures.id(4))]) { loaded in
                let stored = try #require(loaded[EntityKey("Sample", Fixtures.id(4))])
                #expect(PostgresSamples.comparable(stored) == PostgresSamples.comparable(Self.edgeEntities[3]))
                var changed = stored
                changed.subEntities.removeValue(forKey: Fixtures.id(41))
                return TransactionPlan(upserts: [changed], result: ())
            }
            let rewritten = try #require(try await store.entities([EntityKey("Sample", Fixtures.id(4))]).first)
            #expect(Set(rewritten.subEntities.keys) == [Fixtures.id(40), Fixtures.id(42), Fixtures.id(43)])
            // The logged buffer decodes to the deltas written.
            let buffer = try DeltaBufferCodec.decode(try #require(try await store.readLog(after: 0, limit: 1).first).buffer, schema: store.schema)
            #expect(buffer.deltas.count == Self.edgeEntities.count)
        }
    }

    @Test("a plan that throws leaves nothing: no rows, no log record, sequence unchanged, same error")
    func throwingPlanLeavesNothing() async throws {
        struct Refused: Error, Equatable {}
        try await PostgresTesting.withStore { store in
            let key = EntityKey("Sample", Fixtures.id(1))
            await #expect(throws: Refused.self) {
                _ = try await store.write(reading: [key]) { _ -> TransactionPlan<Void> in throw Refused() }
            }
            #expect(try await store.entities([key]).isEmpty)
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.readLog(after: 0, limit: 10).isEmpty)
            // The connection went back clean: the next write works and takes sequence 1.
            let receipt = try await store.write(reading: [key]) { _ in PostgresSamples.creating([PostgresSamples.sample(key.techId)]) }
            #expect(receipt.sequence == 1)
        }
    }

    @Test("invalid input is refused with .invalidInput and nothing is written")
    func invalidInputIsRefused() async throws {
        try await PostgresTesting.withStore { store in
            let good = PostgresSamples.sample(Fixtures.id(1))
            var badDelta = PostgresSamples.create(good)
            badDelta.fields["nope"] = TimedValue(.int(1), at: Fixtures.time(1))
            var wrongType = PostgresSamples.sample(Fixtures.id(2))
            wrongType.fields["v_int"] = TimedValue(.text("1"), at: Fixtures.time(1))
            var nullName = PostgresSamples.sample(Fixtures.id(3))
            nullName.fields["name"] = TimedValue(.null, at: Fixtures.time(1))
            var badSub = PostgresSamples.sample(Fixtures.id(4))
            badSub.subEntities[Fixtures.id(5)] = SubEntityState(collection: "wheels", techId: Fixtures.id(5), parentId: Fixtures.id(4), fields: [:])
            let nul = PostgresSamples.sample(Fixtures.id(6), name: "a\u{0}b")
            let plans: [TransactionPlan<Void>] = [
                TransactionPlan(upserts: [good], deltas: [badDelta], result: ()),
                TransactionPlan(upserts: [good, wrongType], deltas: [PostgresSamples.create(good)], result: ()),
                TransactionPlan(upserts: [good, nullName], result: ()),
                TransactionPlan(upserts: [good, badSub], result: ()),
                TransactionPlan(upserts: [good, nul], result: ()),
                TransactionPlan(upserts: [good], purges: [EntityKey("Ghost", Fixtures.id(9))], result: ()),
            ]
            for (number, plan) in plans.enumerated() {
                let error = await PostgresTesting.storeError { _ = try await store.write(reading: []) { _ in plan } }
                #expect(error?.code == .invalidInput, "plan \(number): \(String(describing: error))")
            }
            let unknownClass = await PostgresTesting.storeError {
                _ = try await store.write(reading: [EntityKey("Ghost", Fixtures.id(1))]) { _ in TransactionPlan(result: ()) }
            }
            #expect(unknownClass?.code == .invalidInput)
            #expect(unknownClass?.message.contains("Ghost") == true)
            let stored = try await store.entities([good.key])
            #expect(stored.isEmpty)
            #expect(try await store.lastSequence() == 0)
        }
    }

    @Test("purges remove the row, its sub-entities and its registrations; site state commits with the data")
    func purgesAndSiteState() async throws {
        try await PostgresTesting.withStore { store in
            let entity = Self.edgeEntities[3]
            _ = try await store.write(reading: []) { _ in PostgresSamples.creating([entity]) }
            var masks = RegistrationMasks()
            masks.set(.synchronized, for: try #require(ClientBit(3)))
            try await store.saveRegistrations([entity.techId: masks])
            let purge = Delta(operation: .delete, entityClass: "Sample", techId: entity.techId, updateTime: Fixtures.time(9), topics: entity.topics)
            let receipt = try await store.write(reading: [entity.key]) { _ in
                TransactionPlan(purges: [entity.key], deltas: [purge], siteState: ["link.father": "17", "a": "b"], result: ())
            }
            #expect(receipt.sequence == 2)
            #expect(try await store.entities([entity.key]).isEmpty)
            #expect(try await store.registrations([entity.techId]).isEmpty)
            let subRows = try await PostgresTesting.execute("SELECT count(*) FROM \(store.prefix)s_sample__parts", on: store)
            #expect(try subRows.first?.decode(Int64.self) == 0)
            #expect(try await store.siteState("link.father") == "17")
            #expect(try await store.siteState("a") == "b")
        }
    }
}
