import ArborCore
import ArborStore
import Foundation
import PostgresNIO

/// The baseline: the same transaction as `PostgresSiteStore.write` (advisory lock, read the
/// entity, upsert its row, append an encoded buffer, NOTIFY), but the log sequence comes from
/// a PostgreSQL sequence (`bigserial`-style `nextval`), with no `log_head` row lock. Faster,
/// and wrong: a reader can skip a transaction that took a lower number and commits later
/// (DESIGN rule 2). It shows what the gap-free log costs.
struct NaiveLog {
    let location: PostgresLocation
    let prefix: String
    let schema: DistributionSchema
    let logger: Logger

    /// Seconds taken by `transactions` writes from `writers` concurrent tasks.
    func measure(writers: Int, transactions: Int) async throws -> Double {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: .disable
        )
        // The same pool size as PostgresSiteStore's (PostgresClient's default of 20).
        configuration.options.maximumConnections = 20
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        let log = prefix + "log"
        let items = prefix + "e_item"
        try await client.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(log) (sequence bigserial PRIMARY KEY, buffer bytea NOT NULL, committed_at timestamptz NOT NULL DEFAULT now())"))
        try await client.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE \(items) (tech_id uuid PRIMARY KEY, topics text NOT NULL, topics_time bigint NOT NULL, update_time bigint NOT NULL,
            in_cache boolean NOT NULL, f_deleted boolean, t_deleted bigint, f_value bigint, t_value bigint, f_label text, t_label bigint)
            """))
        do {
            let seconds = try await StoreWriteBenchmark.timed(writers: writers, transactions: transactions) { number in
                try await write(StoreWriteBenchmark.item(number), client: client, log: log, items: items)
            }
            try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(log), \(items)"))
            return seconds
        } catch {
            _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(log), \(items)"))
            throw error
        }
    }

    private func write(_ entity: EntityState, client: PostgresClient, log: String, items: String) async throws {
        let schema = schema
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            let lockKey = Int64(bitPattern: UInt64(truncatingIfNeeded: entity.techId.hashValue))
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger).collect()
            _ = try await connection.query(
                "SELECT tech_id, topics, topics_time, in_cache, f_deleted, t_deleted, f_value, t_value, f_label, t_label FROM \(unescaped: items) WHERE tech_id = ANY(\([entity.techId]))",
                logger: logger
            ).collect()
            let time = entity.updateTime.microseconds
            _ = try await connection.query(
                """
                INSERT INTO \(unescaped: items) VALUES (\(entity.techId), \(entity.topics.formatted), \(time), \(time), true, false, \(time), \(Int64(0)), \(time), \("item"), \(time))
                ON CONFLICT (tech_id) DO UPDATE SET topics = EXCLUDED.topics, topics_time = EXCLUDED.topics_time, update_time = EXCLUDED.update_time,
                in_cache = EXCLUDED.in_cache, f_deleted = EXCLUDED.f_deleted, t_deleted = EXCLUDED.t_deleted, f_value = EXCLUDED.f_value,
                t_value = EXCLUDED.t_value, f_label = EXCLUDED.f_label, t_label = EXCLUDED.t_label
                """,
                logger: logger
            ).collect()
            let rows = try await connection.query("SELECT nextval(pg_get_serial_sequence(\(log), 'sequence'))", logger: logger).collect()
            let sequence = try rows.first?.decode(Int64.self) ?? 0
            let buffer = try DeltaBufferCodec.encode(
                DeltaBuffer(schemaName: schema.name, originSite: "center", sequence: sequence, deltas: [StoreWriteBenchmark.create(entity)]),
                schema: schema
            )
            _ = try await connection.query(
                "INSERT INTO \(unescaped: log) (sequence, buffer) VALUES (\(sequence), \(ByteBuffer(bytes: buffer)))", logger: logger
            ).collect()
            _ = try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \"\(log)\""), logger: logger).collect()
        }
    }
}
