import GRDB
import Logging
import PostgresNIO

/// Opens a site's database once and reports what answers there (used by `arbor self-check`
/// and by tests that must fail loudly when a configured database is unreachable).
public enum StoreProbe {
    /// What the database reported.
    public struct Report: Sendable, CustomStringConvertible {
        public var location: DatabaseLocation
        public var serverVersion: String

        public var description: String { "\(location): \(serverVersion)" }
    }

    /// Connects, runs one version query, and disconnects; throws `StoreError.unreachable`
    /// when the database cannot be opened or the connection is not made within `timeout`.
    public static func probe(_ location: DatabaseLocation, timeout: Duration = .seconds(10)) async throws(StoreError) -> Report {
        switch location {
        case .sqlite(let path):
            return Report(location: location, serverVersion: try sqliteVersion(path: path))
        case .postgres(let postgres):
            return Report(location: location, serverVersion: try await postgresVersion(postgres, timeout: timeout))
        }
    }

    private static func sqliteVersion(path: String) throws(StoreError) -> String {
        do {
            let queue = try DatabaseQueue(path: path)
            let version = try queue.read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }
            return "SQLite \(version ?? "unknown")"
        } catch {
            throw StoreError(.unreachable, "cannot open SQLite database at \(path): check the path and its permissions", underlying: error)
        }
    }

    private static func postgresVersion(_ location: PostgresLocation, timeout: Duration) async throws(StoreError) -> String {
        var configuration = try location.connectionConfiguration()
        configuration.options.connectTimeout = .init(timeout)
        do {
            // One connection, not a pool: a probe must fail at once when nothing listens.
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quietLogger)
            do {
                var version = "unknown"
                let rows = try await connection.query("SELECT version()", logger: quietLogger)
                for try await text in rows.decode(String.self) { version = text }
                try await connection.close()
                return version
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw StoreError(.unreachable, "cannot query \(location): is the server running and the URL right?", underlying: error)
        }
    }

    private static let quietLogger = Logger(label: "arbor.store.probe", factory: { _ in SwiftLogNoOpLogHandler() })
}
