import PostgresNIO

/// The named migrations of Arbor's PostgreSQL tables (see ``ArborMigrationNames``): the same
/// names as ``SQLiteMigrations``, recorded in the prefix's `migrations` table, each run once in
/// the install transaction (PostgreSQL DDL is transactional, and installs hold an advisory lock).
enum PostgresMigrations {
    /// Every migration, in order, as SQL with `{{prefix}}` placeholders (statements split like
    /// the baseline). Add a later one as one more line.
    static let all: [(name: String, sql: String)] = [
        ("0001-clients-secret-hash", "ALTER TABLE {{prefix}}clients ADD COLUMN IF NOT EXISTS secret_hash text;"),
        ("0002-schema-history", """
            CREATE TABLE IF NOT EXISTS {{prefix}}schema_history (
                position bigint PRIMARY KEY,
                name text NOT NULL UNIQUE,
                text text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO {{prefix}}schema_history (position, name, text) SELECT 1, name, text FROM {{prefix}}schema WHERE id = 1 ON CONFLICT DO NOTHING;
            """),
        // Issue 11 item 3: new rows are applications unless added as sons; existing rows that
        // hold a son's upload position are sons (see ``ArborMigrationNames``).
        ("0003-clients-role", """
            ALTER TABLE {{prefix}}clients ADD COLUMN IF NOT EXISTS role text NOT NULL DEFAULT 'application' CHECK (role IN ('application', 'son'));
            UPDATE {{prefix}}clients SET role = 'son' WHERE EXISTS (
                SELECT 1 FROM {{prefix}}site_counters AS c
                WHERE c.name = 'link.son.' || client_id || '.applied'
                   OR (left(c.name, length('link.son.' || client_id || '.')) = 'link.son.' || client_id || '.'
                       AND length(c.name) = length('link.son.' || client_id || '.') + 44 AND right(c.name, 8) = '.applied')
            );
            """),
    ]

    /// The table recording which migrations ran, per prefix.
    static func tableStatement(prefix: TablePrefix) -> String {
        "CREATE TABLE IF NOT EXISTS \(prefix.value)migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    }

    /// Runs, on `connection` inside the caller's transaction, every migration not yet recorded.
    static func run(on connection: PostgresConnection, prefix: TablePrefix, logger: Logger) async throws {
        try await connection.run(PostgresQuery(unsafeSQL: tableStatement(prefix: prefix)), logger: logger)
        let rows = try await connection.run(PostgresQuery(unsafeSQL: "SELECT name FROM \(prefix.value)migrations"), logger: logger)
        var applied = Set<String>()
        for row in rows { applied.insert(try row.decode(String.self)) }
        for migration in all where !applied.contains(migration.name) {
            let script = migration.sql.replacingOccurrences(of: PostgresDDL.prefixPlaceholder, with: prefix.value)
            for statement in PostgresDDL.statements(in: script) {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.run("INSERT INTO \(unescaped: prefix.value)migrations (name) VALUES (\(migration.name))", logger: logger)
        }
    }
}
