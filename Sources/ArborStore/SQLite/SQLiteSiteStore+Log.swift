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

    /// Signals commits made through this store object only: another process's commits are
    /// found by polling ``readLog(after:limit:)``. Pending signals coalesce into one.
    public func logAppended() -> AsyncStream<Void> {
        logSignal.subscribe()
    }
}
