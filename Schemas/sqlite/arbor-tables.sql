-- Arbor's own tables of one instance in an SQLite database (DESIGN "Storage").
-- {{prefix}} stands for the instance's table prefix (§7.2), e.g. arbor_.
-- Every statement is idempotent: installing twice is harmless.
-- Keep this file identical to SQLiteDDL.arborTables (a test compares them).

-- The delta log: one row per committed transaction, sequences gap-free in commit order.
CREATE TABLE IF NOT EXISTS {{prefix}}delta_log (
    sequence INTEGER PRIMARY KEY,
    buffer BLOB NOT NULL,
    committed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- The clients of this site (§2.7), managed by the application, only read by Arbor servers.
CREATE TABLE IF NOT EXISTS {{prefix}}clients (
    client_id TEXT NOT NULL UNIQUE CHECK (length(client_id) BETWEEN 1 AND 64),
    bit_number INTEGER NOT NULL UNIQUE CHECK (bit_number BETWEEN 0 AND 63),
    is_disabled INTEGER NOT NULL CHECK (is_disabled IN (0, 1)),
    secret_hash TEXT
);

-- A client keeps its id and bit for life: registrations are stored under the bit.
CREATE TRIGGER IF NOT EXISTS {{prefix}}clients_fixed_identity
BEFORE UPDATE OF client_id, bit_number ON {{prefix}}clients
FOR EACH ROW
WHEN NEW.client_id IS NOT OLD.client_id OR NEW.bit_number IS NOT OLD.bit_number
BEGIN
    SELECT RAISE(ABORT, 'client_id and bit_number of a client cannot be changed: remove the client and add it again');
END;

-- The distribution schema this database holds (§4.4): its name and JSON text.
CREATE TABLE IF NOT EXISTS {{prefix}}schema (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    text TEXT NOT NULL
);

-- Registration masks per entity; the 64-bit masks are stored as signed bit patterns.
CREATE TABLE IF NOT EXISTS {{prefix}}registrations (
    tech_id TEXT PRIMARY KEY,
    registered INTEGER NOT NULL,
    synced INTEGER NOT NULL
);

-- The server processes of this site (§8.1): each announces its URL, how many edges it serves
-- and whether it holds the master role, every second; overloaded processes redirect edges to
-- the least loaded fresh entry.
CREATE TABLE IF NOT EXISTS {{prefix}}site_servers (
    url TEXT PRIMARY KEY,
    edges INTEGER NOT NULL,
    is_master INTEGER NOT NULL,
    seen_us INTEGER NOT NULL
);

-- Site state: own name, father, acknowledged sequences per link.
CREATE TABLE IF NOT EXISTS {{prefix}}site_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A proxy's dynamic topics at its father (selective distribution, §8.3): requested by any
-- server process of the site, made active by the one running the father link once received.
CREATE TABLE IF NOT EXISTS {{prefix}}proxy_topics (
    topic TEXT PRIMARY KEY,
    last_used_us INTEGER NOT NULL,
    is_active INTEGER NOT NULL CHECK (is_active IN (0, 1))
);

-- Integer site state (DESIGN "Site identity and trust"): the links' positions (sequences, per
-- son and incarnation at a father), the last transmission time, and the mask of client bits
-- whose registrations the site holds. Compared and set in single statements or inside the
-- transaction that applies the data, so concurrent server processes never lose an update.
CREATE TABLE IF NOT EXISTS {{prefix}}site_counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
