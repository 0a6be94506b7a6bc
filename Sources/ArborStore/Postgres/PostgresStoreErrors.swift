import PostgresNIO

/// Turns PostgresNIO errors into ``StoreError``s whose messages say what failed and what to do,
/// with the server's own message and SQLSTATE but never its detail line (which can quote row
/// values) nor the query's bound values.
enum PostgresStoreErrors {
    /// The store error for `error`, raised while doing `action` (e.g. "reading the log").
    static func map(_ error: any Error, _ action: String, prefix: TablePrefix) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PostgresDecodingError {
            return StoreError(
                .queryFailed,
                "\(action) failed: column \(error.columnName) holds a value of an unexpected type (\(error.postgresType)): was the table changed outside Arbor?",
                underlying: error
            )
        }
        guard let error = error as? PSQLError else {
            // Pool errors (circuit breaker tripped, pool shut down) and socket errors.
            return StoreError(.unreachable, "\(action) failed: PostgreSQL cannot be reached (\(type(of: error))); is the server running?", underlying: error)
        }
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else {
            return StoreError(.unreachable, "\(action) failed: the connection to PostgreSQL failed (\(error.code)); is the server running?", underlying: error)
        }
        let serverMessage = error.serverInfo?[.message] ?? "no message"
        let said = "PostgreSQL says: \(serverMessage) (SQLSTATE \(state))"
        switch state {
        case "23505":
            return StoreError(.conflict, "\(action) failed: a row with the same key exists. \(said)", underlying: error)
        case "22001", "22021", "22P05", "54000":
            return StoreError(.invalidInput, "\(action) failed: a value does not fit its column. \(said)", underlying: error)
        case "42P01":
            return StoreError(
                .queryFailed,
                "\(action) failed: a table of prefix '\(prefix)' is missing: install the Arbor tables first (`arbor init`). \(said)",
                underlying: error
            )
        case "42703":
            return StoreError(
                .schemaMismatch,
                "\(action) failed: a column is missing: the database holds an older schema; run `arbor schema apply`. \(said)",
                underlying: error
            )
        case _ where state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300":
            return StoreError(.unreachable, "\(action) failed: the connection to PostgreSQL was lost or refused. \(said)", underlying: error)
        default:
            return StoreError(.queryFailed, "\(action) failed. \(said)", underlying: error)
        }
    }
}
