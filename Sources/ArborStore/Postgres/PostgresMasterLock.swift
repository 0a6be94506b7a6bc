import Logging
import PostgresNIO

/// The master lock of a site on PostgreSQL: a session advisory lock held on a connection of its
/// own. The server frees it when that session ends (the process died or the network broke), so
/// ``isHeld()`` checks the session and reports a lost one as a lost role.
public actor PostgresMasterLock: MasterLock {
    private let configuration: PostgresConnection.Configuration
    private let key: (Int32, Int32)
    private let logger: Logger
    private var connection: PostgresConnection?
    private var held = false

    init(configuration: PostgresConnection.Configuration, key: (Int32, Int32), logger: Logger) {
        self.configuration = configuration
        self.key = key
        self.logger = logger
    }

    public func tryAcquire() async throws(StoreError) -> Bool {
        if held { return true }
        do {
            let session: PostgresConnection
            if let connection {
                session = connection
            } else {
                session = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                connection = session
            }
            let rows = try await session.query("SELECT pg_try_advisory_lock(\(key.0), \(key.1))", logger: logger).collect()
            held = try rows.first?.decode(Bool.self) ?? false
            return held
        } catch {
            await dropSession()
            throw StoreError(.unreachable, "cannot take the master lock in PostgreSQL: \(error)", underlying: error)
        }
    }

    public func isHeld() async -> Bool {
        guard held, let connection else { return false }
        do {
            _ = try await connection.query("SELECT 1", logger: logger).collect()
            return true
        } catch {
            // At shutdown the check is cancelled: that is no failure of the session.
            if Task.isCancelled || error is CancellationError {
                logger.debug("the master lock's session check was cancelled (shutting down)")
            } else {
                logger.warning("the master lock's PostgreSQL session failed: \(error)")
            }
            await dropSession()
            return false
        }
    }

    public func release() async {
        if held, let connection {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(key.0), \(key.1))", logger: logger).collect()
        }
        await dropSession()
    }

    private func dropSession() async {
        held = false
        let closing = connection
        connection = nil
        try? await closing?.close()
    }
}
