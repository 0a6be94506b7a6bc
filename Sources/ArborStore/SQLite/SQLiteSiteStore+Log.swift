import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    /// Up to `limit` records after `sequence`, in sequence order; `limit` 0 reads nothing and a
    /// negative `limit` is `.invalidInput` (SQLite would read it as "no limit").
    public func readLog(after sequence: Int64, limit: Int) async throws(StoreError) -> [LogRecord] {
        guard limit >= 0 else { throw StoreError(.invalidInput, "log read limit must not be negative (got \(limit))") }
        guard limit > 0 else { return [] }
        return try await reading("reading the delta log") { [logTable] db in
            let statement = try db.cachedStatement(sql: "SELECT sequence, buffer FROM \(logTable) WHERE sequence > ? ORDER BY sequence LIMIT ?")
            let rows = try Row.fetchCursor(statement, arguments: [sequence, limit])
            var records: [LogRecord] = []
            while let row = try rows.next() {
                let buffer: Data = row[1]
                records.append(LogRecord(sequence: row[0], buffer: Array(buffer)))
            }
            return records
        }
    }

    public func lastSequence() async throws(StoreError) -> Int64 {
        try await reading("reading the last log sequence") { [logTable] db in
            try Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM \(logTable)") ?? 0
        }
    }

    @discardableResult
    public func trimLog(through sequence: Int64) async throws(StoreError) -> Int {
        var deleted = 0
        // In chunks, so writers wait for one short transaction at a time.
        while true {
            let chunk = try await writing("trimming the delta log") { [logTable] db -> Int in
                try db.execute(
                    sql: """
                        DELETE FROM \(logTable) WHERE sequence IN (
                            SELECT sequence FROM \(logTable) WHERE sequence <= ? AND sequence < (SELECT max(sequence) FROM \(logTable))
                            ORDER BY sequence LIMIT 5000)
                        """,
                    arguments: [sequence]
                )
                return db.changesCount
            }
            deleted += chunk
            if chunk == 0 { return deleted }
        }
    }

    public func firstSequence() async throws(StoreError) -> Int64? {
        try await reading("reading the first log sequence") { [logTable] db in
            try Int64.fetchOne(db, sql: "SELECT min(sequence) FROM \(logTable)")
        }
    }

    /// Signals commits made through this store object and, by a datagram, through other
    /// processes' store objects on this database (readers still poll: a datagram can be lost).
    /// Pending signals coalesce into one.
    public func logAppended() -> AsyncStream<Void> {
        receiveWakeups()
        return logSignal.subscribe()
    }
}
