import ArborCore
import Foundation
import PostgresNIO

/// Site counters (``SiteCounter``) in `site_counters`. A compare-and-set takes the counter's
/// transaction-scoped advisory lock (``PostgresLockKey/position(_:prefix:)``), the same lock a
/// write's ``TransactionPlan/positionPreconditions`` take, so the two never interleave; a bit
/// update is one `INSERT … ON CONFLICT DO UPDATE`, atomic under its row lock.
extension PostgresSiteStore {
    public func siteCounter(_ name: String) async throws(StoreError) -> Int64? {
        let rows = try await withConnection("reading site counter '\(name)'") { connection in
            try await connection.run("SELECT value FROM \(unescaped: table("site_counters")) WHERE name = \(name)", logger: logger)
        }
        do {
            return try rows.first?.decode(Int64.self)
        } catch {
            throw PostgresStoreErrors.map(error, "reading site counter '\(name)'", prefix: prefix)
        }
    }

    public func setSiteCounter(_ name: String, _ value: Int64) async throws(StoreError) {
        try await transaction("writing site counter '\(name)'") { connection in
            try await lockCounter(name, on: connection)
            try await setCounter(name, value, on: connection)
        }
    }

    public func advanceSiteCounter(_ name: String, to value: Int64, from expected: Int64) async throws(StoreError) {
        try await transaction("advancing site counter '\(name)'") { connection in
            let found = try await lockedCounter(name, on: connection)
            guard found == expected else { throw TransactionPlan<Void>.positionMoved(name, found: found, expected: expected) }
            try await setCounter(name, value, on: connection)
        }
    }

    public func updateSiteCounterBits(_ name: String, setting: UInt64, clearing: UInt64) async throws(StoreError) -> UInt64 {
        let set = Int64(bitPattern: setting), keep = Int64(bitPattern: ~clearing)
        let rows = try await withConnection("updating the bits of site counter '\(name)'") { connection in
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("site_counters")) AS c (name, value) VALUES (\(name), \(set & keep))
                ON CONFLICT (name) DO UPDATE SET value = (c.value | \(set)) & \(keep)
                RETURNING value
                """,
                logger: logger
            )
        }
        do {
            return UInt64(bitPattern: try rows.first?.decode(Int64.self) ?? 0)
        } catch {
            throw PostgresStoreErrors.map(error, "updating the bits of site counter '\(name)'", prefix: prefix)
        }
    }

    /// Takes the counter's transaction lock.
    func lockCounter(_ name: String, on connection: PostgresConnection) async throws {
        let lock = PostgresLockKey.position(name, prefix: prefix)
        try await connection.run("SELECT pg_advisory_xact_lock(\(lock.0), \(lock.1))", logger: logger)
    }

    /// Takes the counter's transaction lock and reads it (absent = 0).
    func lockedCounter(_ name: String, on connection: PostgresConnection) async throws -> Int64 {
        try await lockCounter(name, on: connection)
        let rows = try await connection.run("SELECT value FROM \(unescaped: table("site_counters")) WHERE name = \(name)", logger: logger)
        return try rows.first?.decode(Int64.self) ?? 0
    }

    /// Sets the counter inside the caller's transaction.
    func setCounter(_ name: String, _ value: Int64, on connection: PostgresConnection) async throws {
        try await connection.run(
            """
            INSERT INTO \(unescaped: table("site_counters")) (name, value) VALUES (\(name), \(value))
            ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
            """,
            logger: logger
        )
    }

    /// Moves integer values an older Arbor kept as text in `site_state` into `site_counters`
    /// (a counter already there wins), inside the install transaction.
    func moveLegacyCounters(on connection: PostgresConnection) async throws {
        let rows = try await connection.run("SELECT key, value FROM \(unescaped: table("site_state"))", logger: logger)
        for row in rows {
            let (key, text) = try row.decode((String, String).self)
            guard SiteCounter.isLegacySiteStateKey(key), let value = SiteCounter.legacyValue(text) else { continue }
            try await connection.run(
                "INSERT INTO \(unescaped: table("site_counters")) (name, value) VALUES (\(key), \(value)) ON CONFLICT (name) DO NOTHING",
                logger: logger
            )
            try await connection.run("DELETE FROM \(unescaped: table("site_state")) WHERE key = \(key)", logger: logger)
        }
    }
}
