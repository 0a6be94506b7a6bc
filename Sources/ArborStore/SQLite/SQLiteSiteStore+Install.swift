import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var schemaTable: String { prefix.table("schema") }

    /// Brings Arbor's tables up to date, then installs the schema; see
    /// ``SiteStore/install(upgradingSchema:)``. First the idempotent baseline (``SQLiteDDL``),
    /// then the named migrations (``SQLiteMigrations``, GRDB's `DatabaseMigrator`), then, in
    /// one transaction, the schema decision (``SchemaInstallDecision``): a refused schema
    /// changes no entity table and no stored schema. An upgrade adds the tables and columns of
    /// what the new schema adds (never drops) and appends it to the schema history.
    public func install(upgradingSchema: Bool) async throws(StoreError) {
        try await migrateArborTables()
        let configured = schema
        let schemaText = String(decoding: schema.encodeJSON(), as: UTF8.self)
        try await writing("installing the schema") { [prefix, schemaTable, entityTables] db in
            try Self.moveLegacyCounters(in: db, prefix: prefix)
            let stored = try Self.schemaHistory(db, prefix: prefix)
            let decision = try SchemaInstallDecision.decide(stored: stored, configured: configured, upgrading: upgradingSchema)
            for table in entityTables {
                for statement in table.createStatements { try db.execute(sql: statement) }
            }
            switch decision {
            case .unchanged:
                return
            case .fresh:
                try Self.appendHistory(db, prefix: prefix, position: 1, name: configured.name, text: schemaText)
            case .upgrade(let history, let additions):
                for table in entityTables {
                    for statement in table.addedColumnStatements(additions) { try db.execute(sql: statement) }
                }
                try Self.appendHistory(db, prefix: prefix, position: history.schemas.count, name: configured.name, text: schemaText)
            }
            try db.execute(
                sql: "INSERT INTO \(schemaTable) (id, name, text) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, text = excluded.text",
                arguments: [configured.name, schemaText]
            )
        }
    }

    /// The baseline, then every named migration not yet applied to this prefix. Two processes
    /// installing at once may both start a migration; the one that loses finds it applied when
    /// it tries again.
    func migrateArborTables() async throws(StoreError) {
        do {
            try await pool.write { [prefix] db in try db.execute(sql: SQLiteDDL.arborTables(prefix: prefix)) }
        } catch {
            throw failure(error, while: "installing the Arbor tables")
        }
        let migrator = SQLiteMigrations.migrator(prefix: prefix)
        var attempt = 0
        while true {
            do {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    migrator.asyncMigrate(pool) { result in
                        switch result {
                        case .success: continuation.resume()
                        case .failure(let error): continuation.resume(throwing: error)
                        }
                    }
                }
                return
            } catch {
                attempt += 1
                if attempt >= 3 { throw failure(error, while: "migrating the Arbor tables") }
            }
        }
    }

    /// Drops the Arbor tables of this prefix and the entity tables of both the configured
    /// schema and the stored one (which may be older). Only tables whose names this instance
    /// generates are dropped: another prefix that merely starts with this one is left alone.
    public func uninstall() async throws(StoreError) {
        try await writing("dropping the Arbor tables") { [prefix, schemaTable, entityTables] db in
            var tables = SQLiteDDL.arborTableNames(prefix: prefix) + [prefix.table("schema_history")] + entityTables.flatMap(\.tableNames)
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
            try SQLiteMigrations.forget(db, prefix: prefix)
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
