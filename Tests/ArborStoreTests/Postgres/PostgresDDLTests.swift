import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import PostgresNIO
import Testing

@Suite("PostgreSQL DDL and install")
struct PostgresDDLTests {
    @Test("Schemas/postgres/arbor-tables.sql is identical to PostgresDDL.arborTables")
    func fileMatchesEmbeddedText() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("Schemas/postgres/arbor-tables.sql"), encoding: .utf8)
        #expect(file == PostgresDDL.arborTables)
    }

    @Test("the script splits into whole statements, function bodies kept in one piece")
    func splitsStatements() throws {
        let statements = PostgresDDL.arborTableStatements(prefix: try TablePrefix("p_"))
        #expect(statements.count == 15, "14 creates plus the secret_hash ALTER for older tables")
        for statement in statements {
            #expect(statement.hasSuffix(";\n"))
            #expect(!statement.contains("{{prefix}}"))
            #expect(!statement.hasPrefix("--"))
        }
        let functions = statements.filter { $0.hasPrefix("CREATE OR REPLACE FUNCTION") }
        #expect(functions.count == 2)
        #expect(functions.allSatisfy { $0.components(separatedBy: "$$").count == 3 && $0.hasSuffix("$$;\n") })
        #expect(PostgresDDL.statements(in: "SELECT 1;\n-- note\nSELECT 2") == ["SELECT 1;\n", "SELECT 2\n"])
    }

    @Test("a long collection table gets a distinct, short index name")
    func longIndexNames() {
        let long = String(repeating: "a", count: 60)
        let first = PostgresEntityDDL.indexName(long + "bbb")
        let second = PostgresEntityDDL.indexName(long + "ccc")
        #expect(first.utf8.count <= 63 && second.utf8.count <= 63 && first != second)
        #expect(PostgresEntityDDL.indexName("p_s_order__lines") == "p_s_order__lines_entity_id")
    }

    @Test("installing twice, even concurrently, is harmless and keeps the data", .enabled(if: PostgresTesting.isConfigured))
    func installTwice() async throws {
        try await PostgresTesting.withStore { store in
            _ = try await store.addClient(id: "alpha", bit: nil)
            let receipt = try await store.write(reading: []) { _ in PostgresSamples.creating([PostgresSamples.sample(Fixtures.id(1))]) }
            let other = try await PostgresTesting.open(prefix: store.prefix)
            async let first: Void = store.install(upgradingSchema: false)
            async let second: Void = other.install(upgradingSchema: false)
            _ = try await (first, second)
            await other.close()
            #expect(receipt.sequence == 1)
            #expect(try await store.lastSequence() == 1)
            #expect(try await store.clients().map(\.clientId) == ["alpha"])
            #expect(try await store.entities([EntityKey("Sample", Fixtures.id(1))]).count == 1)
            #expect(try await store.storedSchema()?.name == "probe-v1")
            let counts = try await PostgresTesting.execute(
                "SELECT count(*) FROM \(store.prefix)log_head", on: store
            )
            #expect(try counts.first?.decode(Int64.self) == 1)
        }
    }

    @Test("install creates every table; uninstall drops tables and trigger functions", .enabled(if: PostgresTesting.isConfigured))
    func uninstallDropsEverything() async throws {
        let store = try await PostgresTesting.open(prefix: try PostgresTesting.randomPrefix())
        #expect(try await store.storedSchema() == nil)
        try await store.install(upgradingSchema: false)
        let expected: Set<String> = [
            "delta_log", "log_head", "clients", "schema", "registrations", "site_servers", "site_state", "proxy_topics", "site_counters",
            "e_sample", "s_sample__parts", "s_sample__parts__marks", "e_plain",
        ]
        #expect(try await tables(of: store) == Set(expected.map { store.prefix.table($0) }))
        #expect(try await functionCount(of: store) == 2)
        let stored = try #require(try await store.storedSchema())
        #expect(stored == StoredSchema(name: "probe-v1", text: String(decoding: PostgresSamples.schema.encodeJSON(), as: UTF8.self)))
        try await store.uninstall()
        #expect(try await tables(of: store).isEmpty)
        #expect(try await functionCount(of: store) == 0)
        #expect(try await store.storedSchema() == nil)
        await store.close()
    }

    @Test("opening an unreachable server fails at once with .unreachable and no password")
    func unreachable() async throws {
        let location = try DatabaseLocation(parsing: "postgres://arbor:secret-word@127.0.0.1:1/nowhere")
        let configuration = StoreConfiguration(location: location, schema: PostgresSamples.schema, siteName: "center")
        let error = await PostgresTesting.storeError { _ = try await PostgresSiteStore.open(configuration, logger: PostgresTesting.logger) }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.message.contains("secret-word") == false)
    }

    private func tables(of store: PostgresSiteStore) async throws -> Set<String> {
        let rows = try await PostgresTesting.execute(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND starts_with(table_name::text, '\(store.prefix)')",
            on: store
        )
        return Set(try rows.map { try $0.decode(String.self) })
    }

    private func functionCount(of store: PostgresSiteStore) async throws -> Int64 {
        let rows = try await PostgresTesting.execute("SELECT count(*) FROM pg_proc WHERE starts_with(proname::text, '\(store.prefix)')", on: store)
        return try rows.first?.decode(Int64.self) ?? -1
    }
}
