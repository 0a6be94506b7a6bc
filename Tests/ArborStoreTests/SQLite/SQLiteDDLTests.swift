import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteDDLTests {
    static let sqlFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/sqlite/arbor-tables.sql")

    @Test func embeddedDDLIsTheShippedFile() throws {
        let file = try String(contentsOf: Self.sqlFile, encoding: .utf8)
        #expect(file == SQLiteDDL.arborTables + "\n")
    }

    @Test func installCreatesEveryTableAndRunningItTwiceIsHarmless() async throws {
        try await withSQLiteStore { store, file in
            try await SQLiteFixtures.upsert(SQLiteFixtures.customer(1), into: store)
            try await store.install(upgradingSchema: false)
            try await store.install(upgradingSchema: true)
            let tables = try await file.rawQueue().read { db in
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            let expected: Set<String> = [
                "arbor_delta_log", "arbor_clients", "arbor_schema", "arbor_registrations", "arbor_site_servers", "arbor_site_state", "arbor_proxy_topics", "arbor_site_counters",
                "arbor_e_customer", "arbor_e_order", "arbor_s_order__lines", "arbor_s_order__lines__taxes",
            ]
            #expect(tables == expected)
            #expect(try await file.rawQueue().read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
            #expect(try await store.lastSequence() == 1)
            #expect(try await store.entities([EntityKey("Customer", Fixtures.id(1))]).count == 1)
            let stored = try #require(try await store.storedSchema())
            #expect(stored.name == "retail-v1")
            #expect(try DistributionSchema.decodeJSON(Data(stored.text.utf8)) == Fixtures.retailSchema)
        }
    }

    @Test func generatedTablesHaveTheSharedColumns() async throws {
        try await withSQLiteStore { _, file in
            let (entity, lines) = try await file.rawQueue().read { db in
                (try Row.fetchAll(db, sql: "PRAGMA table_info(arbor_e_order)").map { "\($0["name"] as String) \($0["type"] as String)" },
                 try Row.fetchAll(db, sql: "PRAGMA table_info(arbor_s_order__lines)").map { "\($0["name"] as String) \($0["type"] as String)" })
            }
            #expect(entity == [
                "tech_id TEXT", "topics TEXT", "topics_time INTEGER", "update_time INTEGER", "in_cache INTEGER",
                "f_deleted INTEGER", "t_deleted INTEGER", "f_customerid TEXT", "t_customerid INTEGER", "f_number INTEGER", "t_number INTEGER",
                "f_status TEXT", "t_status INTEGER", "f_priority INTEGER", "t_priority INTEGER", "f_placedat INTEGER", "t_placedat INTEGER",
                "f_attachment BLOB", "t_attachment INTEGER", "f_extra TEXT", "t_extra INTEGER",
            ])
            #expect(lines == [
                "tech_id TEXT", "entity_id TEXT", "parent_id TEXT", "is_deleted INTEGER", "deleted_time INTEGER",
                "f_sku TEXT", "t_sku INTEGER", "f_quantity INTEGER", "t_quantity INTEGER", "f_price REAL", "t_price INTEGER",
            ])
            let indexed = try await file.rawQueue().read { db in
                try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('arbor_s_order__lines_entity_id')")
            }
            #expect(indexed == ["entity_id"])
        }
    }

    @Test func uninstallDropsEveryTableOfThePrefixOnly() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let first = try await file.open(prefix: try TablePrefix("arbor_"))
        let second = try await file.open(prefix: try TablePrefix("arbor_x_"))
        try await first.install(upgradingSchema: false)
        try await second.install(upgradingSchema: false)
        try await SQLiteFixtures.upsert(SQLiteFixtures.customer(2), into: second)
        try await first.uninstall()
        let tables = try await file.rawQueue().read { db in
            try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(!tables.isEmpty)
        #expect(tables.allSatisfy { $0.hasPrefix("arbor_x_") }, "\(tables.sorted())")
        #expect(try await second.lastSequence() == 1)
        #expect(try await first.storedSchema() == nil)
        await first.close()
        await second.close()
    }

    @Test func twoPrefixesInOneFileDoNotSeeEachOther() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let red = try await file.open(prefix: try TablePrefix("red_"))
        let blue = try await file.open(prefix: try TablePrefix("blue_"))
        try await red.install(upgradingSchema: false)
        try await blue.install(upgradingSchema: false)
        try await SQLiteFixtures.upsert(SQLiteFixtures.customer(1, name: "red"), into: red)
        _ = try await red.addClient(id: "red-client", bit: nil)
        try await red.setSiteState("father", "red-father")
        try await red.saveRegistrations([Fixtures.id(1): RegistrationMasks(registered: 1, synced: 0)])

        #expect(try await blue.lastSequence() == 0)
        #expect(try await blue.readLog(after: 0, limit: 10).isEmpty)
        #expect(try await blue.entities([EntityKey("Customer", Fixtures.id(1))]).isEmpty)
        #expect(try await blue.snapshot().entities.isEmpty)
        #expect(try await blue.clients().isEmpty)
        #expect(try await blue.siteState("father") == nil)
        #expect(try await blue.registrations([Fixtures.id(1)]).isEmpty)
        #expect(try await red.lastSequence() == 1)
        await red.close()
        await blue.close()
    }

    @Test func openingAnUnreachablePathNamesIt() async throws {
        let path = "/nonexistent-arbor-dir-\(UUID().uuidString)/site.sqlite"
        let error = await expectStoreError(.unreachable) {
            _ = try await SQLiteSiteStore.open(StoreConfiguration(location: .sqlite(path: path), schema: Fixtures.retailSchema, siteName: "s"))
        }
        #expect(error?.message.contains(path) == true)
    }

    @Test func aPostgresLocationIsAConfigurationError() async throws {
        let location = DatabaseLocation.postgres(PostgresLocation(host: "h", username: "u", database: "d"))
        await expectStoreError(.invalidConfiguration) {
            _ = try await SQLiteSiteStore.open(StoreConfiguration(location: location, schema: Fixtures.retailSchema, siteName: "s"))
        }
    }

    @Test func usingTablesBeforeInstallSaysToInstall() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let store = try await file.open()
        let error = await expectStoreError(.queryFailed) { _ = try await store.lastSequence() }
        #expect(error?.message.contains("arbor init") == true)
        #expect(try await store.storedSchema() == nil)
        await store.close()
    }
}
