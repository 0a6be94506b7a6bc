import ArborCore
import Foundation
import GRDB

/// Recent append request ids and their outcomes (issue 10 item 13).
extension SQLiteSiteStore {
    var appendRequestsTable: String { prefix.table("append_requests") }

    /// Inserts `record` with `sequence` inside the write transaction; `.alreadyApplied` when the
    /// same client and id are recorded (the immediate transaction makes check and insert atomic).
    func recordAppendRequest(_ record: AppendRequestRecord?, sequence: Int64?, in db: Database) throws {
        guard let record else { return }
        try db.cachedStatement(sql: """
            INSERT INTO \(appendRequestsTable) (client_id, request_id, sequence, outcomes, recorded_us) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (client_id, request_id) DO NOTHING
            """).execute(arguments: [record.clientId, record.requestId, sequence, record.storedOutcomes, record.recordedMicroseconds])
        guard db.changesCount == 1 else {
            throw StoreError(.alreadyApplied, "append request '\(record.requestId)' of client '\(record.clientId)' is already recorded")
        }
    }

    public func appendRequest(clientId: String, requestId: String) async throws(StoreError) -> AppendRequestRecord? {
        try await reading("reading an append request") { [appendRequestsTable] db in
            try Row.fetchOne(
                db, sql: "SELECT sequence, outcomes, recorded_us FROM \(appendRequestsTable) WHERE client_id = ? AND request_id = ?",
                arguments: [clientId, requestId]
            ).map { row in
                AppendRequestRecord(
                    clientId: clientId, requestId: requestId, sequence: row["sequence"],
                    outcomes: AppendRequestRecord.outcomes(stored: row["outcomes"]), recordedMicroseconds: row["recorded_us"]
                )
            }
        }
    }

    @discardableResult
    public func removeAppendRequests(recordedBefore cutoff: Int64) async throws(StoreError) -> Int {
        try await writing("removing old append requests") { [appendRequestsTable] db in
            try db.execute(sql: "DELETE FROM \(appendRequestsTable) WHERE recorded_us < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}
