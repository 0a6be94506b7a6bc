import ArborCore
import ArborStore
import Logging

extension LinkServer {
    /// Applies a son's upload; an entity it changed that this site does not hold is first
    /// loaded from this site's father (``FatherEntityLoader``), so the change is merged and goes
    /// up instead of being dropped. The buffer that lacks it writes nothing until then: when
    /// the father cannot be asked, the upload is refused as `Unavailable` and the son sends it
    /// again. What the father does not hold either is skipped (reported in `missing`); at the
    /// center (no loader) that is all there is.
    static func apply(
        _ buffers: [DeltaBuffer], with applier: OrderedBufferApplier, loadingMissingFrom loader: FatherEntityLoader?, son: String, logger: Logger
    ) async throws -> OrderedBufferApplier.Outcome {
        guard let loader else { return try await applier.apply(buffers) }
        var lookedFor = Set<EntityKey>()
        while true {
            let outcome = try await applier.apply(buffers, missingEntities: .refuse(skipping: lookedFor))
            guard let lacking = outcome.refusedFor, !lacking.isEmpty else { return outcome }
            logger.notice("son '\(son)' changed \(lacking.count) entities this site does not hold; loading them from its father first")
            do {
                let sent = try await loader.load(lacking, into: applier.entities)
                if sent.count < lacking.count { logger.notice("the father holds \(sent.count) of the \(lacking.count) entities son '\(son)' changed") }
            } catch {
                logger.warning("loading \(lacking.count) entities son '\(son)' changed from this site's father failed: \(error)")
                var refusal = ServerError(
                    .unavailable,
                    "son '\(son)' changed entities this site does not hold, and loading them from its father failed (\(error)); nothing of them was applied: send the upload again"
                )
                refusal.retryAfterSeconds = 2
                throw refusal
            }
            lookedFor.formUnion(lacking)
        }
    }
}
