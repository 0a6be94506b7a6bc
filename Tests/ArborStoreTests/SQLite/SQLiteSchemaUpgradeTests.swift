import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteSchemaUpgradeTests {
    static let v1 = try! DistributionSchema(name: "shop-v1", classes: [
        EntityClass(name: "Item", fields: [FieldDefinition(name: "title", type: .text)]),
    ])

    /// v1 plus a field in Item, a collection in Item and a whole new class.
    static let v2 = try! DistributionSchema(name: "shop-v2", classes: [
        EntityClass(
            name: "Item",
            fields: [FieldDefinition(name: "title", type: .text), FieldDefinition(name: "price", type: .double, nullable: true)],
            collections: [SubEntityCollection(name: "tags", fields: [FieldDefinition(name: "label", type: .text)])]
        ),
        EntityClass(name: "Shelf", fields: [FieldDefinition(name: "code", type: .int)]),
    ])

    static func item(_ n: Int, title: String) -> EntityState {
        EntityState(
            entityClass: "Item", techId: Fixtures.id(n), topics: Fixtures.topics("T"), topicsTime: Fixtures.time(5),
            fields: ["deleted": TimedValue(.bool(false), at: Fixtures.time(5)), "title": TimedValue(.text(title), at: Fixtures.time(5))]
        )
    }

    @Test func anotherSchemaNameIsRefusedWithAHint() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let old = try await file.open(schema: Self.v1)
        try await old.install(upgradingSchema: false)
        await old.close()

        let new = try await file.open(schema: Self.v2)
        let error = await expectStoreError(.schemaMismatch) { try await new.install(upgradingSchema: false) }
        #expect(error?.message == "database holds schema 'shop-v1', this site is configured with 'shop-v2': to upgrade the database to 'shop-v2', run `arbor schema apply` with that schema; otherwise configure the schema file of 'shop-v1' (schemaFile or --schema)")
        #expect(try await new.storedSchema()?.name == "shop-v1")
        let tables = try await file.rawQueue().read { db in try db.tableExists("arbor_e_shelf") }
        #expect(!tables, "a refused install must not create tables")
        await new.close()
    }

    @Test func upgradingAddsFieldsClassesAndCollectionsAndKeepsOldRows() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let old = try await file.open(schema: Self.v1)
        try await old.install(upgradingSchema: false)
        try await SQLiteFixtures.upsert(Self.item(1, title: "old"), into: old)
        await old.close()

        let new = try await file.open(schema: Self.v2)
        try await new.install(upgradingSchema: true)
        let stored = try #require(try await new.storedSchema())
        #expect(stored.name == "shop-v2")
        #expect(stored.text == String(decoding: Self.v2.encodeJSON(), as: UTF8.self))

        // The old row reads back with the new field absent (never written), not null.
        let oldItem = try #require(try await new.entities([EntityKey("Item", Fixtures.id(1))]).first)
        #expect(oldItem.fields.keys.sorted() == ["deleted", "title"])
        #expect(oldItem.subEntities.isEmpty)

        // New field, collection and class all take writes.
        var upgraded = Self.item(2, title: "new")
        upgraded.fields["price"] = TimedValue(.double(9.5), at: Fixtures.time(6))
        upgraded.subEntities[Fixtures.id(20)] = SubEntityState(
            collection: "tags", techId: Fixtures.id(20), parentId: Fixtures.id(2), fields: ["label": TimedValue(.text("x"), at: Fixtures.time(6))]
        )
        let shelf = EntityState(
            entityClass: "Shelf", techId: Fixtures.id(3), topics: Fixtures.topics("T"), topicsTime: Fixtures.time(7),
            fields: ["code": TimedValue(.int(4), at: Fixtures.time(7))]
        )
        try await SQLiteFixtures.upsert(upgraded, into: new)
        try await SQLiteFixtures.upsert(shelf, into: new)
        let read = try await new.entities([EntityKey("Item", Fixtures.id(2)), EntityKey("Shelf", Fixtures.id(3))])
        #expect(read.count == 2)
        #expect(sameEntity(try #require(read.first), upgraded))
        #expect(sameEntity(try #require(read.last), shelf))
        #expect(try await new.lastSequence() == 3)

        // Running the upgrade again, or a plain install, changes nothing.
        try await new.install(upgradingSchema: true)
        try await new.install(upgradingSchema: false)
        #expect(try await new.entities([EntityKey("Item", Fixtures.id(2))]).first.map { sameEntity($0, upgraded) } == true)
        await new.close()

        // And the old schema is now the one refused.
        let stale = try await file.open(schema: Self.v1)
        await expectStoreError(.schemaMismatch) { try await stale.install(upgradingSchema: false) }
        await stale.close()
    }

    @Test func aDatabaseMadeBeforeTheHistoryGetsItAndOlderSchemasAreRefused() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let old = try await file.open(schema: Self.v1)
        try await old.install(upgradingSchema: false)
        #expect(SQLiteMigrations.all.map(\.name) == ArborMigrationNames.all)
        // As before the history existed: no history table, no record of its migration.
        try await file.rawQueue().write { db in
            try db.execute(sql: "DROP TABLE arbor_schema_history")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'arbor_/0002-schema-history'")
        }
        #expect(try await old.schemaHistory().isEmpty)
        try await old.install(upgradingSchema: false)
        #expect(try await old.schemaHistory().map(\.name) == ["shop-v1"], "the migration seeds the history with the stored schema")
        await old.close()

        let new = try await file.open(schema: Self.v2)
        try await new.install(upgradingSchema: true)
        #expect(try await new.schemaHistory().map(\.name) == ["shop-v1", "shop-v2"])
        await new.close()
        let downgrade = try await file.open(schema: Self.v1)
        let error = await expectStoreError(.schemaMismatch) { try await downgrade.install(upgradingSchema: true) }
        #expect(error?.message.hasPrefix("schema 'shop-v1' is older than the current schema 'shop-v2' of this database: downgrades are refused and nothing was changed") == true)
        #expect(try await downgrade.storedSchema()?.name == "shop-v2")
        await downgrade.close()
    }
}
