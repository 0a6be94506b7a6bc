import Foundation
import Logging
import PostgresNIO

/// The peer: PostgreSQL's own logical replication over three clusters, center → branch (a
/// publication with a row filter on the topics column) → leaf (the branch republishes what it
/// applied: cascading subscriptions). A trigger enabled for replica rows NOTIFYs each applied
/// row's id at the branch and the leaf, where a LISTEN connection records its arrival.
final class PeerTree: @unchecked Sendable {
    static let table = """
        CREATE TABLE customer (tech_id uuid PRIMARY KEY, topics text NOT NULL, update_time bigint NOT NULL, in_cache boolean NOT NULL,
        name text NOT NULL, email text, credit_limit double precision, vip boolean NOT NULL);
        ALTER TABLE customer REPLICA IDENTITY FULL;
        """
    static let arrivedTrigger = """
        CREATE FUNCTION arrived() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('arrived', NEW.tech_id::text); RETURN NEW; END $$;
        CREATE TRIGGER arrived AFTER INSERT OR UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION arrived();
        ALTER TABLE customer ENABLE ALWAYS TRIGGER arrived;
        """

    let center: ScratchCluster, branch: ScratchCluster, leaf: ScratchCluster
    let atBranch = ArrivalLog(), atLeaf = ArrivalLog()
    let writer: PostgresClient
    private let writerTask: Task<Void, Never>
    private var listeners: [Task<Void, any Error>] = []
    private var connections: [PostgresConnection] = []
    let logger: Logger

    init(logger: Logger) async throws {
        self.logger = logger
        center = try ScratchCluster.start("peer-center")
        branch = try ScratchCluster.start("peer-branch")
        leaf = try ScratchCluster.start("peer-leaf")
        try center.psql(Self.table + "CREATE PUBLICATION to_branch FOR TABLE customer WHERE (topics LIKE '%,bench,%');")
        try branch.psql(Self.table + Self.arrivedTrigger + "CREATE PUBLICATION to_leaf FOR TABLE customer;")
        try leaf.psql(Self.table + Self.arrivedTrigger)
        try branch.psql("CREATE SUBSCRIPTION from_center CONNECTION '\(center.conninfo)' PUBLICATION to_branch")
        try leaf.psql("CREATE SUBSCRIPTION from_branch CONNECTION '\(branch.conninfo)' PUBLICATION to_leaf")
        var configuration = PostgresClient.Configuration(host: "127.0.0.1", port: center.port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        configuration.options.maximumConnections = 20
        writer = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let client = writer
        writerTask = Task { await client.run() }
        for (cluster, log) in [(branch, atBranch), (leaf, atLeaf)] { try await listen(cluster, log) }
    }

    private func listen(_ cluster: ScratchCluster, _ log: ArrivalLog) async throws {
        let connection = try await cluster.connect(logger: logger)
        connections.append(connection)
        let (ready, readySignal) = AsyncStream<Void>.makeStream()
        listeners.append(Task {
            try await connection.listen(on: "arrived") { notifications in
                readySignal.yield()
                for try await notification in notifications {
                    if let id = UUID(uuidString: notification.payload) { await log.record([id], at: .now) }
                }
            }
        })
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
    }

    /// Sets the apply workers' `synchronous_commit` (the subscription default is off).
    func setSynchronousCommit(_ on: Bool) throws {
        try branch.psql("ALTER SUBSCRIPTION from_center SET (synchronous_commit = '\(on ? "on" : "off")')")
        try leaf.psql("ALTER SUBSCRIPTION from_branch SET (synchronous_commit = '\(on ? "on" : "off")')")
    }

    /// Inserts `ids` at the center in one multi-row INSERT (one transaction).
    func insert(_ ids: [UUID], topic: String) async throws {
        try await Self.insert(ids, topic: topic, table: "customer", on: writer, logger: logger)
    }

    /// `INSERT INTO table VALUES (…), (…)` of `ids` as customers: the plain set-based write.
    static func insert(_ ids: [UUID], topic: String, table: String, on client: PostgresClient, logger: Logger) async throws {
        var binds = PostgresBindings(capacity: ids.count * 4)
        var tuples: [String] = []
        tuples.reserveCapacity(ids.count)
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        for (number, id) in ids.enumerated() {
            let first = binds.count
            binds.append(id)
            binds.append(",\(topic),")
            binds.append(now)
            binds.append("c\(number)")
            tuples.append("($\(first + 1), $\(first + 2), $\(first + 3), true, $\(first + 4), NULL, NULL, false)")
        }
        try await client.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES " + tuples.joined(separator: ", "), binds: binds), logger: logger)
    }

    /// Stops the branch's subscription (the branch falls behind).
    func pauseBranch() throws { try branch.psql("ALTER SUBSCRIPTION from_center DISABLE") }
    func resumeBranch() throws { try branch.psql("ALTER SUBSCRIPTION from_center ENABLE") }

    /// Seconds `COPY (SELECT … WHERE topics matches) TO STDOUT` takes through psql, and the rows it printed.
    func copyOut(topic: String) throws -> (seconds: Double, rows: Int) {
        let started = ContinuousClock.now
        let output = try center.psql("COPY (SELECT * FROM customer WHERE topics LIKE '%,\(topic),%') TO STDOUT")
        return (SiteLatencyBenchmark.seconds(ContinuousClock.now - started), output.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 })
    }

    /// Table plus index bytes per row of the center's table.
    func bytesPerRow() throws -> Double {
        let answer = try center.psql("SELECT pg_total_relation_size('customer')::float8 / greatest(1, count(*)) FROM customer")
        return Double(answer.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func stop() async {
        for listener in listeners { listener.cancel() }
        for connection in connections { try? await connection.close() }
        writerTask.cancel()
        leaf.stop()
        branch.stop()
        center.stop()
    }
}
