import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("PostgreSQL schema mismatch and upgrade", .enabled(if: PostgresTesting.isConfigured))
struct PostgresSchemaUpgradeTests {
    static func shop(_ name: String, extraField: Bool = false, extraClass: Bool = false, extraCollection: Bool = false) throws -> DistributionSchema {
        var shelfFields = [FieldDefinition(name: "label", type: .text)]
        if extraField { shelfFields.append(FieldDefinition(name: "height", type: .double, nullable: true)) }
        var classes = [EntityClass(
            name: "Shelf", fields: shelfFields,
            collections: extraCollection ? [SubEntityCollection(name: "slots", fields: [FieldDefinition(name: "size", type: .int)])] : []
        )]
        if extraClass { classes.append(EntityClass(name: "Aisle", fields: [FieldDefinition(name: "number", type: .int)])) }
        return try DistributionSchema(name: name, classes: classes)
    }

    static func shelf(_ n: Int, fields: [String: FieldValue]) -> EntityState {
        EntityState(
            entityClass: "Shelf", techId: Fixtures.id(n), topics: Fixtures.topics("S"), topicsTime: Fixtures.time(1),
            fields: fields.mapValues { TimedValue($0, at: Fixtures.time(2)) }
        )
    }

    @Test("another stored schema name is refused unless upgrading; an upgrade adds a field, a class and a collection")
    func mismatchThenUpgrade() async throws {
        let prefix = try PostgresTesting.randomPrefix()
        let old = try await PostgresTesting.open(schema: try Self.shop("shop-v1"), prefix: prefix)
        try await old.install(upgradingSchema: false)
        _ = try await old.write(reading: []) { _ in TransactionPlan(upserts: [Self.shelf(1, fields: ["label": .text("top")])], result: ()) }

        let newSchema = try Self.shop("shop-v2", extraField: true, extraClass: true, extraCollection: true)
        let new = try await PostgresTesting.open(schema: newSchema, prefix: prefix)
        let error = await PostgresTesting.storeError { try await new.install(upgradingSchema: false) }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.message == "database holds schema 'shop-v1', this site is configured with 'shop-v2': to upgrade the database to 'shop-v2', run `arbor schema apply` with that schema; otherwise configure the schema file of 'shop-v1' (schemaFile or --schema)")
        #expect(try await new.storedSchema()?.name == "shop-v1")
        let refused = try await PostgresTesting.execute("SELECT to_regclass('\(prefix)e_aisle') IS NULL", on: new)
        #expect(try refused.first?.decode(Bool.self) == true, "a refused install creates no table")

        try await new.install(upgradingSchema: true)
        #expect(try await new.storedSchema() == StoredSchema(name: "shop-v2", text: String(decoding: newSchema.encodeJSON(), as: UTF8.self)))
        // A row written before the upgrade has no value for the new field: it was never written.
        let before = try #require(try await new.entities([EntityKey("Shelf", Fixtures.id(1))]).first)
        #expect(Set(before.fields.keys) == ["label"])
        var slotted = Self.shelf(2, fields: ["label": .text("low"), "height": .double(1.5)])
        slotted.subEntities[Fixtures.id(20)] = SubEntityState(
            collection: "slots", techId: Fixtures.id(20), parentId: Fixtures.id(2), fields: ["size": TimedValue(.int(3), at: Fixtures.time(4))]
        )
        let aisle = EntityState(
            entityClass: "Aisle", techId: Fixtures.id(3), topics: Fixtures.topics("S"), topicsTime: Fixtures.time(1),
            fields: ["number": TimedValue(.int(9), at: Fixtures.time(2))]
        )
        _ = try await new.write(reading: []) { [slotted] _ in TransactionPlan(upserts: [slotted, aisle], result: ()) }
        #expect(try await new.entities([slotted.key, aisle.key]) == [slotted, aisle])
        // Installing the upgraded schema again is harmless; the old site is now the mismatch.
        try await new.install(upgradingSchema: false)
        #expect(await PostgresTesting.storeError { try await old.install(upgradingSchema: false) }?.code == .schemaMismatch)
        try await new.uninstall()
        await old.close()
        await new.close()
    }

    @Test("a field whose type changed is refused with .schemaMismatch, even when upgrading")
    func changedTypeIsRefused() async throws {
        let prefix = try PostgresTesting.randomPrefix()
        let old = try await PostgresTesting.open(schema: try Self.shop("shop-v1"), prefix: prefix)
        try await old.install(upgradingSchema: false)
        let changed = try DistributionSchema(name: "shop-v2", classes: [EntityClass(name: "Shelf", fields: [FieldDefinition(name: "label", type: .int)])])
        let new = try await PostgresTesting.open(schema: changed, prefix: prefix)
        let error = await PostgresTesting.storeError { try await new.install(upgradingSchema: true) }
        #expect(error?.code == .schemaMismatch)
        #expect(error?.message.contains("field 'Shelf.label' changes type from text to int") == true, "\(error?.message ?? "")")
        #expect(try await new.storedSchema()?.name == "shop-v1", "nothing changed")
        try await old.uninstall()
        await old.close()
        await new.close()
    }

    @Test("named migrations are recorded in the prefix's migrations table; a database made before them gets its schema history")
    func migrationsAndHistorySeed() async throws {
        let prefix = try PostgresTesting.randomPrefix()
        let store = try await PostgresTesting.open(schema: try Self.shop("shop-v1"), prefix: prefix)
        try await store.install(upgradingSchema: false)
        let names = try await PostgresTesting.execute("SELECT name FROM \(prefix)migrations ORDER BY name", on: store).map { try $0.decode(String.self) }
        #expect(names == ArborMigrationNames.all)
        #expect(PostgresMigrations.all.map(\.name) == ArborMigrationNames.all)
        // As before the history existed: no history table, no record of its migration.
        _ = try await PostgresTesting.execute("DROP TABLE \(prefix)schema_history", on: store)
        _ = try await PostgresTesting.execute("DELETE FROM \(prefix)migrations WHERE name = '0002-schema-history'", on: store)
        #expect(try await store.schemaHistory().isEmpty)
        try await store.install(upgradingSchema: false)
        #expect(try await store.schemaHistory().map(\.name) == ["shop-v1"], "the migration seeds the history with the stored schema")
        try await store.install(upgradingSchema: false)
        let again = try await PostgresTesting.execute("SELECT count(*) FROM \(prefix)migrations", on: store)
        #expect(try again.first?.decode(Int64.self) == Int64(ArborMigrationNames.all.count), "each migration runs and is recorded once")
        try await store.uninstall()
        await store.close()
    }
}
