import GRDB

/// The named migrations of Arbor's SQLite tables (see ``ArborMigrationNames``), run by GRDB's
/// `DatabaseMigrator` after the baseline. GRDB records applied migrations in one
/// `grdb_migrations` table per file, so each identifier carries the table prefix: instances
/// sharing a file (§7.2) migrate independently.
enum SQLiteMigrations {
    /// One migration: a name and what it does to the tables of a prefix.
    struct Migration: Sendable {
        let name: String
        let run: @Sendable (_ db: Database, _ prefix: TablePrefix) throws -> Void

        /// A migration that is plain SQL with `{{prefix}}` placeholders.
        static func sql(_ name: String, _ text: String) -> Migration {
            Migration(name: name) { db, prefix in
                try db.execute(sql: text.replacingOccurrences(of: SQLiteDDL.prefixPlaceholder, with: prefix.value))
            }
        }
    }

    /// Every migration, in order. Add a later one as one more `.sql(name, text)` line (and its
    /// name in ``ArborMigrationNames`` and ``PostgresMigrations``).
    static let all: [Migration] = [
        // Databases made before client secrets (issue 6) lack the column the baseline now creates.
        Migration(name: "0001-clients-secret-hash") { db, prefix in
            let table = prefix.table("clients")
            if try !db.columns(in: table).contains(where: { $0.name == "secret_hash" }) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN secret_hash TEXT")
            }
        },
        .sql("0002-schema-history", """
            CREATE TABLE IF NOT EXISTS {{prefix}}schema_history (
                position INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                text TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
            );
            INSERT OR IGNORE INTO {{prefix}}schema_history (position, name, text) SELECT 1, name, text FROM {{prefix}}schema WHERE id = 1;
            """),
        // Issue 11 item 3: new rows are applications unless added as sons; existing rows that
        // hold a son's upload position are sons (see ``ArborMigrationNames``).
        .sql("0003-clients-role", """
            ALTER TABLE {{prefix}}clients ADD COLUMN role TEXT NOT NULL DEFAULT 'application' CHECK (role IN ('application', 'son'));
            UPDATE {{prefix}}clients SET role = 'son' WHERE EXISTS (
                SELECT 1 FROM {{prefix}}site_counters AS c
                WHERE c.name = 'link.son.' || client_id || '.applied'
                   OR (substr(c.name, 1, length('link.son.' || client_id || '.')) = 'link.son.' || client_id || '.'
                       AND length(c.name) = length('link.son.' || client_id || '.') + 44 AND substr(c.name, -8) = '.applied')
            );
            """),
    ]

    /// The migrator for `prefix`: identifiers are `<prefix>/<name>`.
    static func migrator(prefix: TablePrefix) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(identifier(migration.name, prefix: prefix)) { db in try migration.run(db, prefix) }
        }
        return migrator
    }

    static func identifier(_ name: String, prefix: TablePrefix) -> String { "\(prefix.value)/\(name)" }

    /// Forgets the migrations of `prefix` (its tables were dropped), so a new install runs them again.
    static func forget(_ db: Database, prefix: TablePrefix) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        let start = prefix.value + "/"
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE substr(identifier, 1, ?) = ?", arguments: [start.count, start])
    }
}
