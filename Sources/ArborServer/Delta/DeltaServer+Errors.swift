import ArborCore
import ArborStore

extension DeltaServer {
    /// The protocol error for a failure while `action` ran (``ServerError/storeFailure(_:_:siteName:logger:)``).
    func failure(_ action: String, _ error: any Error) -> ServerError {
        ServerError.storeFailure("delta server: \(action)", error, siteName: context.siteName, logger: context.logger)
    }

    /// The protocol name of a merge outcome (`created`, `accepted`, …).
    static func name(of outcome: MergeOutcome) -> String { outcome.protocolName }
}
