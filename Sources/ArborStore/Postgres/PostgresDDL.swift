import Foundation

/// The SQL that creates Arbor's own tables in PostgreSQL, and the statement splitter that runs it.
///
/// PostgresNIO sends every query through the extended protocol, which accepts one statement
/// at a time, so the script is split into statements (dollar-quoted function bodies kept whole).
enum PostgresDDL {
    /// The placeholder that stands for the table prefix in ``arborTables``.
    static let prefixPlaceholder = "{{prefix}}"

    /// The statements of ``arborTables`` for `prefix`, in order.
    static func arborTableStatements(prefix: TablePrefix) -> [String] {
        statements(in: arborTables.replacingOccurrences(of: prefixPlaceholder, with: prefix.value))
    }

    /// Splits an SQL script into statements: a statement ends with a line ending in `;` outside
    /// a `$$` block; comment lines between statements are dropped.
    static func statements(in script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var insideDollarQuote = false
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current.isEmpty, trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { insideDollarQuote.toggle() }
            if !insideDollarQuote, trimmed.hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
        return statements
    }

    /// The text of `Schemas/postgres/arbor-tables.sql` (a test keeps the two identical).
    static let arborTables = """
-- Arbor's own tables of one instance in a PostgreSQL database (DESIGN "Storage").
-- {{prefix}} stands for the instance's table prefix (§7.2), e.g. arbor_.
-- Every statement is idempotent: installing twice is harmless. Arbor runs the statements in
-- one transaction under an advisory lock, so concurrent installs do not collide.
-- Keep this file identical to PostgresDDL.arborTables (a test compares them).

-- The delta log: one row per committed transaction, sequences gap-free in commit order.
CREATE TABLE IF NOT EXISTS {{prefix}}delta_log (
    sequence bigint PRIMARY KEY,
    buffer bytea NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now()
);

-- The last sequence handed out. Writers take the next number by updating this one row as the
-- last step before COMMIT: its row lock makes sequences follow commit order with no gaps, and
-- a rolled-back transaction rolls its number back too (DESIGN rule 2).
CREATE TABLE IF NOT EXISTS {{prefix}}log_head (
    id int PRIMARY KEY CHECK (id = 1),
    last_sequence bigint NOT NULL
);

INSERT INTO {{prefix}}log_head (id, last_sequence) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

-- The clients of this site (§2.7), managed by the application, only read by Arbor servers.
CREATE TABLE IF NOT EXISTS {{prefix}}clients (
    client_id varchar(64) UNIQUE NOT NULL,
    bit_number smallint UNIQUE NOT NULL CHECK (0 <= bit_number AND bit_number < 64),
    is_disabled boolean NOT NULL,
    secret_hash text
);

-- Tables installed before client secrets existed get the column (NULL: no secret required).
ALTER TABLE {{prefix}}clients ADD COLUMN IF NOT EXISTS secret_hash text;

-- A client keeps its id and bit for life: registrations are stored under the bit.
CREATE OR REPLACE FUNCTION {{prefix}}clients_fixed_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.client_id IS DISTINCT FROM OLD.client_id OR NEW.bit_number IS DISTINCT FROM OLD.bit_number THEN
        RAISE EXCEPTION 'client_id and bit_number of a client cannot be changed: remove the client and add it again'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER {{prefix}}clients_fixed_identity
BEFORE UPDATE ON {{prefix}}clients
FOR EACH ROW EXECUTE FUNCTION {{prefix}}clients_fixed_identity();

-- Servers watch the clients table: every change wakes them (delivered at commit).
CREATE OR REPLACE FUNCTION {{prefix}}clients_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{{prefix}}clients', '');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER {{prefix}}clients_notify
AFTER INSERT OR UPDATE OR DELETE ON {{prefix}}clients
FOR EACH STATEMENT EXECUTE FUNCTION {{prefix}}clients_notify();

-- The distribution schema this database holds (§4.4): its name and JSON text.
CREATE TABLE IF NOT EXISTS {{prefix}}schema (
    id int PRIMARY KEY CHECK (id = 1),
    name text NOT NULL,
    text text NOT NULL
);

-- Registration masks per entity; the 64-bit masks are stored as signed bit patterns.
CREATE TABLE IF NOT EXISTS {{prefix}}registrations (
    tech_id uuid PRIMARY KEY,
    registered bigint NOT NULL,
    synced bigint NOT NULL
);

-- The server processes of this site (§8.1): each announces its URL, how many edges it serves
-- and whether it holds the master role, every second; overloaded processes redirect edges to
-- the least loaded fresh entry.
CREATE TABLE IF NOT EXISTS {{prefix}}site_servers (
    url TEXT PRIMARY KEY,
    edges INTEGER NOT NULL,
    is_master BOOLEAN NOT NULL,
    seen_us BIGINT NOT NULL
);

-- Site state: own name, father, acknowledged sequences per link.
CREATE TABLE IF NOT EXISTS {{prefix}}site_state (
    key text PRIMARY KEY,
    value text NOT NULL
);

-- A proxy's dynamic topics at its father (selective distribution, §8.3): requested by any
-- server process of the site, made active by the one running the father link once received.
CREATE TABLE IF NOT EXISTS {{prefix}}proxy_topics (
    topic text PRIMARY KEY,
    last_used_us bigint NOT NULL,
    is_active boolean NOT NULL
);

-- Integer site state (DESIGN "Site identity and trust"): the links' positions (sequences, per
-- son and incarnation at a father), the last transmission time, and the mask of client bits
-- whose registrations the site holds. Compared and set in single statements or inside the
-- transaction that applies the data, so concurrent server processes never lose an update.
CREATE TABLE IF NOT EXISTS {{prefix}}site_counters (
    name text PRIMARY KEY,
    value bigint NOT NULL
);

"""
}
