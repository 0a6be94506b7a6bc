import ArborCore
import Foundation
import GRDB

/// A site's store in one SQLite file (GRDB, the system SQLite), for branch sites.
///
/// A `DatabasePool` in WAL mode: reads run on reader connections with snapshot isolation,
/// writes are serialized by GRDB's single writer in this process and by `BEGIN IMMEDIATE`
/// across processes (several server processes may share the file), each waiting up to 5 s for
/// the file lock. Log sequences are `max(sequence) + 1` taken inside that immediate
/// transaction, so they are gap-free and follow commit order. Foreign keys are off: Arbor
/// declares none, and purges remove rows table by table.
///
/// Several instances may share the file, each under its own ``TablePrefix`` (§7.2).
public final class SQLiteSiteStore: SiteStore {
    public let schema: DistributionSchema
    public let prefix: TablePrefix
    public let siteName: String
    /// The database file.
    public let path: String

    let pool: DatabasePool
    /// Entity tables in schema order, and by class name.
    let entityTables: [SQLiteEntityTable]
    let entityTablesByClass: [String: SQLiteEntityTable]
    /// Wakes log readers of this store object after each commit that appended to the log.
    let logSignal = SQLiteSignal()
    /// The records this process committed lately (``SiteStore/committedBuffers``).
    public let committedBuffers: CommittedBuffers? = CommittedBuffers()
    /// Wakes client watchers of this store object after a change made through it.
    let clientsSignal = SQLiteSignal()
    /// Carries both wake-ups to and from the other processes on this database.
    let wakeups: SQLiteWakeups

    /// How long a write waits for another connection's lock before failing.
    public static let busyTimeout: TimeInterval = 5

    private init(configuration: StoreConfiguration, path: String, pool: DatabasePool, layouts: [EntityTableLayout]) {
        schema = configuration.schema
        prefix = configuration.prefix
        siteName = configuration.siteName
        self.path = path
        self.pool = pool
        wakeups = SQLiteWakeups(databasePath: path, prefixValue: configuration.prefix.value)
        entityTables = layouts.map(SQLiteEntityTable.init)
        entityTablesByClass = Dictionary(entityTables.map { ($0.entityClass, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Opens (creating if needed) the SQLite file of `configuration.location`. Tables are
    /// created by ``install(upgradingSchema:)``. Throws `.invalidConfiguration` for a
    /// non-SQLite location or a schema whose table names are too long, `.unreachable` when the
    /// file cannot be opened.
    public static func open(_ configuration: StoreConfiguration) async throws(StoreError) -> SQLiteSiteStore {
        guard case .sqlite(let path) = configuration.location else {
            throw StoreError(.invalidConfiguration, "SQLiteSiteStore needs a sqlite: location, got \(configuration.location)")
        }
        let layouts = try EntityTableLayout.all(configuration.schema, prefix: configuration.prefix)
        var options = Configuration()
        options.label = "arbor.sqlite"
        options.busyMode = .timeout(busyTimeout)
        options.foreignKeysEnabled = false
        options.prepareDatabase { db in
            // Durable commits: a son may already hold a transaction it received from this log,
            // so a commit must never be lost in a crash (FULL is SQLite's default; say so).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try await openPool(path: path, options: options)
        return SQLiteSiteStore(configuration: configuration, path: path, pool: pool, layouts: layouts)
    }

    /// Releases the connections and ends every `logAppended()` and `watchClients` stream.
    public func close() async {
        wakeups.stop()
        logSignal.close()
        clientsSignal.close()
        // `DatabasePool.close()` blocks until in-flight reads end; those reads finish on the
        // concurrency pool, so blocking one of its few threads here can deadlock it. Close on a
        // thread of its own.
        let pool = pool
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                try? pool.close()
                done.resume()
            }.start()
        }
    }

    // MARK: Running statements

    /// Runs `body` in one read transaction (a consistent snapshot of the file).
    func reading<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw failure(error, while: action)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` write transaction, committed when it returns.
    func writing<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await immediateTransaction(body)
        } catch {
            throw failure(error, while: action)
        }
    }

    /// Like ``writing(_:_:)`` but rethrows `body`'s errors unchanged.
    func immediateTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError(.queryFailed, "SQLite transaction ended without a result") }
            return result
        }
    }

    /// A ``StoreError`` for `error`, naming what was being done; messages carry SQLite's own
    /// text (which names tables and constraints, never bound values).
    func failure(_ error: any Error, while action: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(
                    .unreachable,
                    "\(action): the SQLite database at \(path) stayed locked by another connection for more than \(Int(Self.busyTimeout)) s; retry",
                    underlying: error
                )
            case .SQLITE_MISUSE where error.message?.contains("closed") == true:
                return StoreError(.queryFailed, "\(action): the store for \(path) was closed", underlying: error)
            default:
                let hint = error.message?.contains("no such table") == true ? ": install the tables first (arbor init)" : ""
                return StoreError(.queryFailed, "\(action) failed in SQLite database at \(path): \(Self.describe(error))\(hint)", underlying: error)
            }
        }
        if error is CancellationError {
            return StoreError(.queryFailed, "\(action) was cancelled", underlying: error)
        }
        return StoreError(.queryFailed, "\(action) failed in SQLite database at \(path): \(error)", underlying: error)
    }

    /// SQLite's message without the statement or its arguments.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(type(of: error))" }
        return "\(error.resultCode): \(error.message ?? "no message")"
    }

    /// Lets other processes' commits wake this object's log readers and client watchers.
    func receiveWakeups() {
        wakeups.startReceiving { [logSignal, clientsSignal] kind in
            switch kind {
            case .log: logSignal.signal()
            case .clients: clientsSignal.signal()
            }
        }
    }
}
