import ArborCore
import Foundation
import GRDB

/// Site counters (``SiteCounter``) in `site_counters`. Every change runs in a `BEGIN IMMEDIATE`
/// transaction, which holds the file's write lock: a compare-and-set cannot interleave with
/// another process's, and a bit update is one statement.
extension SQLiteSiteStore {
    var siteCountersTable: String { prefix.table("site_counters") }

    public func siteCounter(_ name: String) async throws(StoreError) -> Int64? {
        try await reading("reading site counter '\(name)'") { [siteCountersTable] db in
            try Int64.fetchOne(db, sql: "SELECT value FROM \(siteCountersTable) WHERE name = ?", arguments: [name])
        }
    }

    public func setSiteCounter(_ name: String, _ value: Int64) async throws(StoreError) {
        try await writing("writing site counter '\(name)'") { [self] db in
            try Self.setCounter(name, value, in: db, table: siteCountersTable)
        }
    }

    public func advanceSiteCounter(_ name: String, to value: Int64, from expected: Int64) async throws(StoreError) {
        try await writing("advancing site counter '\(name)'") { [self] db in
            let found = try Self.counter(name, in: db, table: siteCountersTable)
            guard found == expected else { throw TransactionPlan<Void>.positionMoved(name, found: found, expected: expected) }
            try Self.setCounter(name, value, in: db, table: siteCountersTable)
        }
    }

    public func updateSiteCounterBits(_ name: String, setting: UInt64, clearing: UInt64) async throws(StoreError) -> UInt64 {
        let set = Int64(bitPattern: setting), keep = Int64(bitPattern: ~clearing)
        return try await writing("updating the bits of site counter '\(name)'") { [siteCountersTable] db in
            try db.execute(
                sql: """
                INSERT INTO \(siteCountersTable) (name, value) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET value = (value | ?) & ?
                """,
                arguments: [name, set & keep, set, keep]
            )
            return UInt64(bitPattern: try Int64.fetchOne(db, sql: "SELECT value FROM \(siteCountersTable) WHERE name = ?", arguments: [name]) ?? 0)
        }
    }

    /// The counter `name` inside a transaction (absent = 0).
    static func counter(_ name: String, in db: Database, table: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM \(table) WHERE name = ?", arguments: [name]) ?? 0
    }

    /// Sets the counter `name` inside a transaction.
    static func setCounter(_ name: String, _ value: Int64, in db: Database, table: String) throws {
        try db.cachedStatement(sql: "INSERT INTO \(table) (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .execute(arguments: [name, value])
    }

    /// Moves integer values an older Arbor kept as text in `site_state` into `site_counters`
    /// (a counter already there wins), inside the install transaction.
    static func moveLegacyCounters(in db: Database, prefix: TablePrefix) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM \(prefix.table("site_state"))")
        for row in rows {
            let key: String = row["key"], text: String = row["value"]
            guard SiteCounter.isLegacySiteStateKey(key), let value = SiteCounter.legacyValue(text) else { continue }
            try db.execute(
                sql: "INSERT INTO \(prefix.table("site_counters")) (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                arguments: [key, value]
            )
            try db.execute(sql: "DELETE FROM \(prefix.table("site_state")) WHERE key = ?", arguments: [key])
        }
    }
}
