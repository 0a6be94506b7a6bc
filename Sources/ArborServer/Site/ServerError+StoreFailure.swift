import ArborCore
import ArborStore
import Logging

extension ServerError {
    /// How long a client waits before retrying a request the database was too busy for.
    static let busyRetryAfterSeconds = 1

    /// The protocol error for a failure while `action` ran at `siteName`, one mapping for every
    /// server: a store's bad input, missing row, schema mismatch, size or refused permit is the
    /// client's to fix; a database that is busy or unreachable answers `Unavailable` (503) with
    /// `Retry-After`, so edges retry or fail over, and so does a cancelled one (seen as `Internal`
    /// and an error line in a nemesis run); anything else is `Internal`. The cause of a
    /// server-side failure is logged with `logger`, never sent to the client.
    static func storeFailure(_ action: String, _ error: any Error, siteName: String, logger: Logger) -> ServerError {
        if let error = error as? ServerError { return error }
        if error is CancellationError || (error as? StoreError)?.underlying is CancellationError {
            // The client left or this server is stopping: nothing failed that an operator must see.
            logger.debug("\(action) was cancelled: the request was abandoned or the server is stopping")
            var answer = ServerError(.unavailable, "\(action) was cancelled at site '\(siteName)' (the server is stopping or the request was abandoned); retry")
            answer.retryAfterSeconds = busyRetryAfterSeconds
            return answer
        }
        if let storeError = error as? StoreError {
            switch storeError.code {
            case .invalidInput: return ServerError(.badRequest, storeError.message)
            case .notFound: return ServerError(.notFound, storeError.message)
            case .schemaMismatch: return ServerError(.schemaMismatch, storeError.message)
            case .tooLarge: return ServerError(.tooLarge, storeError.message)
            case .notPermitted: return ServerError(.notPermitted, storeError.message)
            case .unreachable:
                logger.warning("\(action) failed, the database is busy or unreachable: \(storeError)")
                var answer = ServerError(.unavailable, "\(action) failed at site '\(siteName)': its database is busy or unreachable; retry shortly")
                answer.retryAfterSeconds = busyRetryAfterSeconds
                return answer
            default: break
            }
        }
        logger.error("\(action) failed: \(error)")
        return ServerError(.internalError, "\(action) failed at site '\(siteName)'; retry later")
    }
}
