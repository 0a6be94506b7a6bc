import ArborCore
import Foundation
import PostgresNIO

/// Recent append request ids and their outcomes (issue 10 item 13).
extension PostgresSiteStore {
    /// Inserts `record` with `sequence` inside the write transaction; `.alreadyApplied` when the
    /// same client and id are recorded. A concurrent insert of the same key waits for the other
    /// transaction, so of two duplicates only the first commits.
    func recordAppendRequest(_ record: AppendRequestRecord?, sequence: Int64?, on connection: PostgresConnection) async throws {
        guard let record else { return }
        let rows = try await connection.run(
            """
            INSERT INTO \(unescaped: table("append_requests")) (client_id, request_id, sequence, outcomes, recorded_us)
            VALUES (\(record.clientId), \(record.requestId), \(sequence), \(record.storedOutcomes), \(record.recordedMicroseconds))
            ON CONFLICT (client_id, request_id) DO NOTHING RETURNING 1
            """,
            logger: logger
        )
        guard rows.first != nil else {
            throw StoreError(.alreadyApplied, "append request '\(record.requestId)' of client '\(record.clientId)' is already recorded")
        }
    }

    public func appendRequest(clientId: String, requestId: String) async throws(StoreError) -> AppendRequestRecord? {
        let rows = try await withConnection("reading an append request") { connection in
            try await connection.run(
                """
                SELECT sequence, outcomes, recorded_us FROM \(unescaped: table("append_requests"))
                WHERE client_id = \(clientId) AND request_id = \(requestId)
                """,
                logger: logger
            )
        }
        do {
            return try rows.first.map { row in
                let (sequence, outcomes, recorded) = try row.decode((Int64?, String, Int64).self)
                return AppendRequestRecord(
                    clientId: clientId, requestId: requestId, sequence: sequence,
                    outcomes: AppendRequestRecord.outcomes(stored: outcomes), recordedMicroseconds: recorded
                )
            }
        } catch {
            throw PostgresStoreErrors.map(error, "reading an append request", prefix: prefix)
        }
    }

    @discardableResult
    public func removeAppendRequests(recordedBefore cutoff: Int64) async throws(StoreError) -> Int {
        let rows = try await withConnection("removing old append requests") { connection in
            try await connection.run(
                "WITH gone AS (DELETE FROM \(unescaped: table("append_requests")) WHERE recorded_us < \(cutoff) RETURNING 1) SELECT count(*) FROM gone",
                logger: logger
            )
        }
        do {
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        } catch {
            throw PostgresStoreErrors.map(error, "removing old append requests", prefix: prefix)
        }
    }
}
