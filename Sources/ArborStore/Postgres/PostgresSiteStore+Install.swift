import ArborCore
import Foundation
import PostgresNIO

extension PostgresSiteStore {
    /// Creates the Arbor tables, triggers and entity tables in one transaction under an advisory lock (see ``SiteStore/install(upgradingSchema:)``).
    public func install(upgradingSchema: Bool) async throws(StoreError) {
        let schemaText = String(decoding: schema.encodeJSON(), as: UTF8.self)
        try await transaction("installing the tables of prefix '\(prefix)'") { connection in
            try await lockInstalls(on: connection)
            for statement in PostgresDDL.arborTableStatements(prefix: prefix) {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await moveLegacyCounters(on: connection)
            let stored = try await storedSchema(on: connection)
            if let stored, stored.name != schema.name, !upgradingSchema {
                throw StoreError(
                    .schemaMismatch,
                    "database holds schema '\(stored.name)', this site is configured with '\(schema.name)': run `arbor schema apply` to upgrade"
                )
            }
            let existing = try await existingColumns(on: connection)
            for table in orderedEntityTables {
                for statement in try PostgresEntityDDL.statements(for: table.layout, existing: existing) {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
            if stored == nil || upgradingSchema {
                try await connection.run(
                    """
                    INSERT INTO \(unescaped: table("schema")) (id, name, text) VALUES (1, \(schema.name), \(schemaText))
                    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, text = EXCLUDED.text
                    """,
                    logger: logger
                )
            }
        }
    }

    /// Drops the Arbor tables, the entity tables of the current and stored schemas, and the trigger functions.
    public func uninstall() async throws(StoreError) {
        try await transaction("removing the tables of prefix '\(prefix)'") { connection in
            try await lockInstalls(on: connection)
            // The entity tables of the stored schema too: an upgrade may have left tables that
            // the current schema no longer names. Only names Arbor generates are dropped, never
            // "everything starting with the prefix", which could hit another instance's tables.
            var layouts = orderedEntityTables.map(\.layout)
            if let stored = try await storedSchema(on: connection),
               let storedSchema = try? DistributionSchema.decodeJSON(Data(stored.text.utf8)),
               let storedLayouts = try? EntityTableLayout.all(storedSchema, prefix: prefix) {
                layouts += storedLayouts
            }
            var tables = ["delta_log", "log_head", "clients", "schema", "registrations", "site_servers", "site_state", "proxy_topics", "site_counters"].map(table)
            for layout in layouts {
                tables += PostgresEntityDDL.tables(of: layout).map { PostgresEntityDDL.quoted($0.table) }
            }
            var seen = Set<String>()
            let unique = tables.filter { seen.insert($0).inserted }
            try await connection.run(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(unique.joined(separator: ", ")) CASCADE"), logger: logger)
            for function in ["clients_fixed_identity", "clients_notify"] {
                try await connection.run(PostgresQuery(unsafeSQL: "DROP FUNCTION IF EXISTS \(table(function))() CASCADE"), logger: logger)
            }
        }
    }

    /// The stored schema name and text, nil before `install`.
    public func storedSchema() async throws(StoreError) -> StoredSchema? {
        try await withConnection("reading the stored schema") { connection in try await storedSchema(on: connection) }
    }

    /// The stored schema, nil when the schema table or its row does not exist.
    func storedSchema(on connection: PostgresConnection) async throws -> StoredSchema? {
        let exists = try await connection.run("SELECT to_regclass(\(prefix.table("schema"))) IS NOT NULL", logger: logger)
        guard try exists.first?.decode(Bool.self) == true else { return nil }
        let rows = try await connection.run("SELECT name, text FROM \(unescaped: table("schema")) WHERE id = 1", logger: logger)
        guard let row = rows.first else { return nil }
        let (name, text) = try row.decode((String, String).self)
        return StoredSchema(name: name, text: text)
    }

    /// Serializes installs and uninstalls of this prefix (PostgreSQL DDL is transactional, but
    /// two concurrent `CREATE ... IF NOT EXISTS` can still collide).
    private func lockInstalls(on connection: PostgresConnection) async throws {
        let (space, key) = PostgresLockKey.install(prefix: prefix)
        try await connection.run("SELECT pg_advisory_xact_lock(\(space), \(key))", logger: logger)
    }

    /// The columns of this prefix's tables: table → column → data type.
    private func existingColumns(on connection: PostgresConnection) async throws -> [String: [String: String]] {
        let rows = try await connection.run(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND starts_with(table_name::text, \(prefix.value))
            """,
            logger: logger
        )
        var columns: [String: [String: String]] = [:]
        for row in rows {
            let (table, column, type) = try row.decode((String, String, String).self)
            columns[table, default: [:]][column] = type
        }
        return columns
    }
}
