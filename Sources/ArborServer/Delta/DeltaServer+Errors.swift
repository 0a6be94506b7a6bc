import ArborCore
import ArborStore

extension DeltaServer {
    /// The protocol error for a failure while `action` ran: a store's bad input, missing entity,
    /// schema mismatch or refused write permit is the client's to fix; anything else is
    /// `Internal`, its cause logged here and not sent to the client.
    func failure(_ action: String, _ error: any Error) -> ServerError {
        if let storeError = error as? StoreError {
            switch storeError.code {
            case .invalidInput: return ServerError(.badRequest, storeError.message)
            case .notFound: return ServerError(.notFound, storeError.message)
            case .schemaMismatch: return ServerError(.schemaMismatch, storeError.message)
            case .tooLarge: return ServerError(.tooLarge, storeError.message)
            case .notPermitted: return ServerError(.notPermitted, storeError.message)
            default: break
            }
        }
        context.logger.error("delta server: \(action) failed: \(error)")
        return ServerError(.internalError, "\(action) failed at site '\(context.siteName)'; retry later")
    }

    /// The protocol name of a merge outcome (`created`, `accepted`, …).
    static func name(of outcome: MergeOutcome) -> String { outcome.protocolName }
}
