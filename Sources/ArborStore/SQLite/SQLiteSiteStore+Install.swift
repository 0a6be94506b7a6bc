import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var schemaTable: String { prefix.table("schema") }

    /// Creates the Arbor tables (``SQLiteDDL``) and the entity tables of the schema in one
    /// transaction; see ``SiteStore/install(upgradingSchema:)``. Columns a table lacks are
    /// added with `ALTER TABLE … ADD COLUMN`; nothing is ever dropped.
    public func install(upgradingSchema: Bool) async throws(StoreError) {
        let schemaName = schema.name
        let schemaText = String(decoding: schema.encodeJSON(), as: UTF8.self)
        try await writing("installing the Arbor tables") { [prefix, schemaTable, entityTables] db in
            try db.execute(sql: SQLiteDDL.arborTables(prefix: prefix))
            try Self.moveLegacyCounters(in: db, prefix: prefix)
            // Tables installed before client secrets existed get the column (NULL: no secret required).
            let clientColumns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(prefix.table("clients")))").map { $0["name"] as String }
            if !clientColumns.contains("secret_hash") {
                try db.execute(sql: "ALTER TABLE \(prefix.table("clients")) ADD COLUMN secret_hash TEXT")
            }
            let storedName = try String.fetchOne(db, sql: "SELECT name FROM \(schemaTable) WHERE id = 1")
            if let storedName, storedName != schemaName, !upgradingSchema {
                throw StoreError(
                    .schemaMismatch,
                    "database holds schema '\(storedName)', this site is configured with '\(schemaName)': run `arbor schema apply` to upgrade"
                )
            }
            for table in entityTables {
                for statement in table.createStatements {
                    try db.execute(sql: statement)
                }
                for statement in try table.missingColumnStatements(db) {
                    try db.execute(sql: statement)
                }
            }
            if storedName == nil || upgradingSchema {
                try db.execute(
                    sql: "INSERT INTO \(schemaTable) (id, name, text) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, text = excluded.text",
                    arguments: [schemaName, schemaText]
                )
            }
        }
    }

    /// Drops the Arbor tables of this prefix and the entity tables of both the configured
    /// schema and the stored one (which may be older). Only tables whose names this instance
    /// generates are dropped: another prefix that merely starts with this one is left alone.
    public func uninstall() async throws(StoreError) {
        try await writing("dropping the Arbor tables") { [prefix, schemaTable, entityTables] db in
            var tables = SQLiteDDL.arborTableNames(prefix: prefix) + entityTables.flatMap(\.tableNames)
            if try db.tableExists(schemaTable),
               let text = try String.fetchOne(db, sql: "SELECT text FROM \(schemaTable) WHERE id = 1"),
               let stored = try? DistributionSchema.decodeJSON(Data(text.utf8)),
               let layouts = try? EntityTableLayout.all(stored, prefix: prefix) {
                tables += layouts.map(SQLiteEntityTable.init).flatMap(\.tableNames)
            }
            var dropped = Set<String>()
            for table in tables where dropped.insert(table).inserted {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
            }
        }
    }

    public func storedSchema() async throws(StoreError) -> StoredSchema? {
        try await reading("reading the stored schema") { [schemaTable] db in
            guard try db.tableExists(schemaTable),
                  let row = try Row.fetchOne(db, sql: "SELECT name, text FROM \(schemaTable) WHERE id = 1")
            else { return nil }
            return StoredSchema(name: row["name"], text: row["text"])
        }
    }
}
