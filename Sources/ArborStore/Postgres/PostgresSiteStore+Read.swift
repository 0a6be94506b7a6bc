import ArborCore
import Foundation
import PostgresNIO

extension PostgresSiteStore {
    /// Up to `limit` records after `sequence`; sequences are gap-free in commit order, so a reader can always continue from the last one it saw.
    public func readLog(after sequence: Int64, limit: Int) async throws(StoreError) -> [LogRecord] {
        guard limit > 0 else { return [] }
        let rows = try await withConnection("reading the log") { connection in
            try await connection.run(
                """
                SELECT sequence, buffer FROM \(unescaped: table("delta_log"))
                WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(limit))
                """,
                logger: logger
            )
        }
        do {
            return try rows.map { row in
                var (sequence, buffer) = try row.decode((Int64, ByteBuffer).self)
                return LogRecord(sequence: sequence, buffer: buffer.readBytes(length: buffer.readableBytes) ?? [])
            }
        } catch {
            throw PostgresStoreErrors.map(error, "reading the log", prefix: prefix)
        }
    }

    /// The highest committed sequence, from the `log_head` row.
    public func lastSequence() async throws(StoreError) -> Int64 {
        try await withConnection("reading the last sequence") { connection in
            try await lastSequence(on: connection)
        }
    }

    @discardableResult
    public func trimLog(through sequence: Int64) async throws(StoreError) -> Int {
        var deleted = 0
        // In chunks, so the delete never holds many row locks for long.
        while true {
            let rows = try await withConnection("trimming the delta log") { connection in
                try await connection.run(
                    """
                    WITH gone AS (
                        DELETE FROM \(unescaped: table("delta_log")) WHERE sequence IN (
                            SELECT sequence FROM \(unescaped: table("delta_log"))
                            WHERE sequence <= \(sequence) AND sequence < (SELECT max(sequence) FROM \(unescaped: table("delta_log")))
                            ORDER BY sequence LIMIT 5000)
                        RETURNING 1)
                    SELECT count(*) FROM gone
                    """,
                    logger: logger
                )
            }
            let chunk: Int
            do { chunk = try rows.first?.decode(Int.self) ?? 0 } catch { throw PostgresStoreErrors.map(error, "trimming the delta log", prefix: prefix) }
            deleted += chunk
            if chunk == 0 { return deleted }
        }
    }

    public func firstSequence() async throws(StoreError) -> Int64? {
        let rows = try await withConnection("reading the first log sequence") { connection in
            try await connection.run("SELECT min(sequence) FROM \(unescaped: table("delta_log"))", logger: logger)
        }
        do { return try rows.first?.decode(Int64?.self) ?? nil } catch { throw PostgresStoreErrors.map(error, "reading the first log sequence", prefix: prefix) }
    }

    /// Wakes after every log append of any process (LISTEN on a dedicated connection) and once whenever that connection (re)starts listening.
    public func logAppended() -> AsyncStream<Void> {
        notifications.subscribe(logChannel)
    }

    /// The entities with the given keys, read in one REPEATABLE READ snapshot; ordered by class (schema order), then tech-id.
    public func entities(_ keys: Set<EntityKey>) async throws(StoreError) -> [EntityState] {
        for key in keys { _ = try entityTable(key.entityClass) }
        guard !keys.isEmpty else { return [] }
        // One snapshot, so an entity's row and its sub-entity rows agree.
        let loaded = try await transaction("reading entities", begin: Self.snapshotBegin) { connection in
            try await load(keys, on: connection)
        }
        return orderedEntityTables.flatMap { table in
            loaded.values.filter { $0.entityClass == table.entityClass }.sorted { $0.techId.byteOrder < $1.techId.byteOrder }
        }
    }

    /// All entities and the last sequence, read in one REPEATABLE READ READ ONLY transaction.
    public func snapshot() async throws(StoreError) -> StoreSnapshot {
        try await transaction("reading a snapshot", begin: Self.snapshotBegin) { connection in
            // log_head changes in the same transactions as the rows, so in one REPEATABLE READ
            // snapshot the sequence and the entities agree exactly (DESIGN rule 10).
            let sequence = try await lastSequence(on: connection)
            var entities: [EntityState] = []
            var headers: [EntityHeader] = []
            for table in orderedEntityTables {
                entities += try await table.loadCached(on: connection, logger: logger)
                headers += try await table.loadHeaders(on: connection, logger: logger)
            }
            return StoreSnapshot(sequence: sequence, entities: entities, headers: headers)
        }
    }

    /// Starts a read-only transaction that sees one snapshot of the whole database.
    static let snapshotBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    func lastSequence(on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.run("SELECT last_sequence FROM \(unescaped: table("log_head")) WHERE id = 1", logger: logger)
        guard let sequence = try rows.first?.decode(Int64.self) else {
            throw StoreError(.queryFailed, "the log head row of prefix '\(prefix)' is missing: run `arbor init` to repair the tables")
        }
        return sequence
    }
}
