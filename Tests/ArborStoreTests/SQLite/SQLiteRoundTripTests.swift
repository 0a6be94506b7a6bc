import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteRoundTripTests {
    /// One nullable field of every type, in the class and in a nested collection.
    static let schema = try! DistributionSchema(name: "types-v1", classes: [
        EntityClass(
            name: "Sample", fields: fields,
            collections: [SubEntityCollection(name: "items", fields: fields, collections: [
                SubEntityCollection(name: "parts", fields: [FieldDefinition(name: "label", type: .text)]),
            ])]
        ),
    ])

    static let fields = FieldType.allCases.map { FieldDefinition(name: "v_\($0.rawValue)", type: $0, nullable: true) }

    /// Edge values of every type (nulls included for each).
    static let values: [FieldType: [FieldValue]] = [
        .uuid: [.uuid(UUID()), .uuid(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!)],
        .text: [.text(""), .text("ünïcödé 🌳 中文"), .text("e\u{301}"), .text("é"), .text("'; DROP TABLE x; --"), .text(String(repeating: "x", count: 100_000))],
        .int: [.int(.min), .int(.max), .int(0), .int(-1)],
        .bigint: [.bigint(.min), .bigint(.max), .bigint(0)],
        .double: [
            .double(-0.0), .double(0.0), .double(.infinity), .double(-.infinity), .double(.nan), .double(-.nan),
            .double(.greatestFiniteMagnitude), .double(.leastNonzeroMagnitude), .double(0x1p62), .double(-0x1p63), .double(0.1),
        ],
        .bool: [.bool(true), .bool(false)],
        .timestamp: [.timestamp(.min), .timestamp(.max), .timestamp(0)],
        .bytes: [.bytes(Data()), .bytes(Data([0])), .bytes(Data(0...255))],
        .json: [.json("{}"), .json("{ \"a\" : [1, 2.50, null] }"), .json("")],
    ]

    /// One entity per edge value (plus one all-null and one with no field written).
    static func samples() -> [EntityState] {
        var samples: [EntityState] = []
        var n = 0
        func sample(_ fields: [String: TimedValue]) -> EntityState {
            n += 1
            return EntityState(
                entityClass: "Sample", techId: Fixtures.id(n), inCache: n % 2 == 0, topics: Fixtures.topics("T\(n)"),
                topicsTime: Fixtures.time(Int64(n)), fields: fields
            )
        }
        for type in FieldType.allCases {
            for value in values[type] ?? [] {
                samples.append(sample(["v_\(type.rawValue)": TimedValue(value, at: Fixtures.time(-Int64(n)))]))
            }
        }
        samples.append(sample(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, TimedValue(.null, at: Fixtures.time(.max))) })))
        samples.append(sample([:]))
        return samples
    }

    @Test func everyFieldTypeAndEdgeValueRoundTrips() async throws {
        try await withSQLiteStore(schema: Self.schema) { store, _ in
            let samples = Self.samples()
            let receipt = try await store.write(reading: []) { _ in
                TransactionPlan(upserts: samples, deltas: samples.map(SQLiteFixtures.create), result: samples.count)
            }
            #expect(receipt.sequence == 1)
            #expect(receipt.result == samples.count)
            let read = try await store.entities(Set(samples.map(\.key)))
            #expect(read.count == samples.count)
            let byKey = Dictionary(uniqueKeysWithValues: read.map { ($0.key, $0) })
            for sample in samples {
                let back = try #require(byKey[sample.key])
                #expect(sameEntity(back, sample), "\(sample.fields) came back as \(back.fields)")
            }
            // The log record decodes to the same deltas.
            let record = try #require(try await store.readLog(after: 0, limit: 10).first)
            let buffer = try DeltaBufferCodec.decode(record.buffer, schema: Self.schema)
            #expect(buffer.sequence == 1)
            #expect(buffer.originSite == "center")
            #expect(buffer.deltas.count == samples.count)
        }
    }

    @Test func sqliteEscapesAreStoredAsDocumented() async throws {
        try await withSQLiteStore(schema: Self.schema) { store, file in
            let at = Fixtures.time(1)
            let entity = EntityState(
                entityClass: "Sample", techId: Fixtures.id(1), topics: .empty, topicsTime: at,
                fields: ["v_double": TimedValue(.double(.nan), at: at), "v_bytes": TimedValue(.bytes(Data()), at: at)]
            )
            try await store.write(reading: []) { _ in TransactionPlan(upserts: [entity], result: ()) }
            let row = try #require(try await file.rawQueue().read { db in
                try Row.fetchOne(db, sql: "SELECT typeof(f_v_double) AS d, length(f_v_double) AS n, typeof(f_v_bytes) AS b, typeof(t_v_text) AS t FROM arbor_e_sample")
            })
            #expect(row["d"] as String == "blob")
            #expect(row["n"] as Int? == 8)
            #expect(row["b"] as String == "blob")
            #expect(row["t"] as String == "null")
        }
    }

    @Test func subEntitiesAndTombstonesRoundTripAndAreReplacedWhole() async throws {
        try await withSQLiteStore(schema: Self.schema) { store, _ in
            let at = Fixtures.time(10)
            let item = SubEntityState(
                collection: "items", techId: Fixtures.id(11), parentId: Fixtures.id(1),
                fields: ["v_text": TimedValue(.text("line"), at: at), "v_bytes": TimedValue(.bytes(Data()), at: at), "v_double": TimedValue(.double(-0.0), at: at)]
            )
            let tombstone = SubEntityState(collection: "items", techId: Fixtures.id(12), parentId: Fixtures.id(1), fields: [:], isDeleted: true, deletedTime: Fixtures.time(11))
            let part = SubEntityState(collection: "items.parts", techId: Fixtures.id(13), parentId: Fixtures.id(11), fields: ["label": TimedValue(.text("p"), at: at)])
            var entity = EntityState(
                entityClass: "Sample", techId: Fixtures.id(1), topics: Fixtures.topics("T"), topicsTime: at,
                fields: ["deleted": TimedValue(.bool(false), at: at)], subEntities: [item.techId: item, tombstone.techId: tombstone, part.techId: part]
            )
            try await SQLiteFixtures.upsert(entity, into: store)
            let first = try #require(try await store.entities([entity.key]).first)
            #expect(sameEntity(first, entity))
            #expect(first.subEntities[Fixtures.id(12)]?.isDeleted == true)

            // An upsert replaces the sub-entity rows: the part goes, the tombstone stays.
            entity.subEntities[Fixtures.id(13)] = nil
            try await SQLiteFixtures.upsert(entity, into: store)
            let second = try #require(try await store.entities([entity.key]).first)
            #expect(sameEntity(second, entity))
            #expect(second.subEntities.count == 2)
        }
    }

    @Test func snapshotGivesWholeInCacheEntitiesAndHeadersForTheOthers() async throws {
        try await withSQLiteStore { store, _ in
            var deleted = SQLiteFixtures.customer(2, time: 50, inCache: false)
            deleted.fields["deleted"] = TimedValue(.bool(true), at: Fixtures.time(70))
            let cached = SQLiteFixtures.customer(1, time: 40)
            let plain = SQLiteFixtures.customer(3, time: 60, inCache: false)
            for state in [plain, deleted, cached] { try await SQLiteFixtures.upsert(state, into: store) }
            let snapshot = try await store.snapshot()
            #expect(snapshot.sequence == 3)
            #expect(snapshot.entities.count == 1)
            #expect(snapshot.entities.first.map { sameEntity($0, cached) } == true)
            #expect(snapshot.headers == [
                EntityHeader(key: deleted.key, topics: deleted.topics, updateTime: Fixtures.time(70), isDeleted: true),
                EntityHeader(key: plain.key, topics: plain.topics, updateTime: Fixtures.time(60), isDeleted: false),
            ])
        }
    }
}
