import ArborCore
import Foundation
import PostgresNIO
import Synchronization

/// A site's store in PostgreSQL (the center's backend, any site may use it).
///
/// Owns a `PostgresClient` (a connection pool) whose `run()` executes in a task started by
/// ``open(_:logger:)`` and cancelled by ``close()``, plus one dedicated connection that LISTENs
/// for log appends and clients-table changes once someone subscribes. Every value travels as a
/// bind parameter; only identifiers built from the validated prefix and schema enter SQL text.
public final class PostgresSiteStore: SiteStore {
    public let schema: DistributionSchema
    public let prefix: TablePrefix
    public let siteName: String
    /// Where the database is (its `description` hides the password).
    public let location: PostgresLocation

    let client: PostgresClient
    let logger: Logger
    /// The entity tables by class name, and in schema order.
    let entityTables: [String: PostgresEntityTable]
    let orderedEntityTables: [PostgresEntityTable]
    let notifications: PostgresNotificationHub
    /// The records this process committed lately (``SiteStore/committedBuffers``).
    public let committedBuffers: CommittedBuffers? = CommittedBuffers()
    /// For connections of their own (the master lock's session).
    let connectionConfiguration: PostgresConnection.Configuration
    private let runTask: Task<Void, Never>
    private let beforeCommit = Mutex<(@Sendable () async -> Void)?>(nil)

    /// Opens the store at `configuration.location` (a `postgres://` one) and checks that the
    /// server answers; throws `.unreachable` when it does not. Does not create tables: see
    /// ``install(upgradingSchema:)``.
    public static func open(_ configuration: StoreConfiguration, logger: Logger) async throws(StoreError) -> PostgresSiteStore {
        guard case .postgres(let location) = configuration.location else {
            throw StoreError(.invalidConfiguration, "PostgresSiteStore needs a postgres:// database URL, got '\(configuration.location)'")
        }
        let layouts = try EntityTableLayout.all(configuration.schema, prefix: configuration.prefix)
        var connection = try location.connectionConfiguration()
        connection.options.connectTimeout = .seconds(10)
        // The pool would retry quietly for a minute; one direct connection fails at once.
        do {
            let probe = try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
            do {
                try await probe.run("SELECT 1", logger: logger)
                try await probe.close()
            } catch {
                try? await probe.close()
                throw error
            }
        } catch {
            throw StoreError(
                .unreachable,
                "cannot connect to PostgreSQL at \(location): \(PostgresConnectFailure.explain(error, at: location))",
                underlying: error
            )
        }
        var pool = try location.clientConfiguration()
        pool.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: pool, backgroundLogger: logger)
        return PostgresSiteStore(configuration, location: location, client: client, connection: connection, layouts: layouts, logger: logger)
    }

    private init(
        _ configuration: StoreConfiguration, location: PostgresLocation, client: PostgresClient,
        connection: PostgresConnection.Configuration, layouts: [EntityTableLayout], logger: Logger
    ) {
        schema = configuration.schema
        prefix = configuration.prefix
        siteName = configuration.siteName
        self.location = location
        self.client = client
        self.logger = logger
        connectionConfiguration = connection
        orderedEntityTables = layouts.map(PostgresEntityTable.init)
        entityTables = Dictionary(uniqueKeysWithValues: orderedEntityTables.map { ($0.entityClass, $0) })
        notifications = PostgresNotificationHub(
            channels: [configuration.prefix.table("delta_log"), configuration.prefix.table("clients")],
            configuration: connection, logger: logger
        )
        runTask = Self.startRunning(client)
    }

    /// Starts `client.run()` so that it has begun before the first query: a plain `Task` may
    /// start after `install` leases a connection, and PostgresNIO then warns that `run()`
    /// "hasn't been called yet" (the lease waited, harmlessly, but the warning misleads).
    /// An immediate task calls `run()` on this thread, and `run()` marks the client running
    /// before its first suspension.
    private static func startRunning(_ client: PostgresClient) -> Task<Void, Never> {
        if #available(macOS 26, *) {
            return Task.immediate { await client.run() }
        }
        return Task { await client.run() }
    }

    /// Stops listening, then cancels the pool's `run()` task. The store is unusable afterwards.
    public func close() async {
        await notifications.close()
        runTask.cancel()
        await runTask.value
    }

    /// Test seam: runs inside every write that appends to the log, after the log insert and
    /// before COMMIT, so tests can widen the window in which transactions overlap.
    var beforeCommitHook: (@Sendable () async -> Void)? {
        get { beforeCommit.withLock { $0 } }
        set { beforeCommit.withLock { $0 = newValue } }
    }

    /// The NOTIFY channel of log appends.
    var logChannel: String { prefix.table("delta_log") }
    /// The NOTIFY channel of clients-table changes (sent by its trigger).
    var clientsChannel: String { prefix.table("clients") }

    /// The quoted name of Arbor table `name` under this prefix.
    func table(_ name: String) -> String { PostgresEntityDDL.quoted(prefix.table(name)) }

    /// The entity table of `entityClass`, or `.invalidInput` naming the unknown class.
    func entityTable(_ entityClass: String) throws(StoreError) -> PostgresEntityTable {
        guard let table = entityTables[entityClass] else {
            throw StoreError(.invalidInput, SchemaError.unknownClass(entityClass, schema: schema.name).description)
        }
        return table
    }

    /// Runs `body` on one pooled connection, mapping failures to ``StoreError``s.
    func withConnection<T: Sendable>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresStoreErrors.map(error, action, prefix: prefix)
        }
    }

    /// Runs `body` in one transaction (started by `begin`), mapping failures to ``StoreError``s.
    func transaction<T: Sendable>(
        _ action: String, begin: String = "BEGIN", _ body: (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await rawTransaction(begin: begin, body)
        } catch {
            throw PostgresStoreErrors.map(error, action, prefix: prefix)
        }
    }

    /// Runs `body` in one transaction, committing when it returns and rolling back when it
    /// throws; its errors pass through unchanged.
    func rawTransaction<T: Sendable>(begin: String = "BEGIN", _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger).collect()
            do {
                let value = try await body(connection)
                _ = try await connection.query("COMMIT", logger: logger).collect()
                return value
            } catch {
                do {
                    _ = try await connection.query("ROLLBACK", logger: logger).collect()
                } catch {
                    // Never hand a connection stuck in a transaction back to the pool.
                    try? await connection.close()
                }
                throw error
            }
        }
    }
}

extension PostgresConnection {
    /// Runs `query` to completion and returns its rows (errors surface here, not later).
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
