import ArborCore
import Hummingbird

extension SiteRoutes {
    /// `POST …/cache/full-load`: refusals answered as JSON errors before anything is sent, then
    /// the answer streamed while the entities are read (issue 12). The load metric covers the
    /// whole answer, stream included.
    func streamedFullLoad(_ cache: CacheServer, slice: String, for request: Request, _ context: ArborRequestContext) async throws -> Response {
        let metrics = exchange.context.metrics
        let logger = exchange.context.logger
        let start = ContinuousClock.now
        let plan: CacheServer.FullLoadPlan
        // Read before the snapshot: the answer's sequence belongs to this log (a restore renews it).
        let log = try await exchange.context.logIncarnation()
        do {
            plan = try await cache.prepareFullLoad(client: try required(context), slice: slice)
        } catch {
            metrics.loadFinished("full", after: .now - start, refused: true)
            throw error
        }
        return exchange.streamedDeltas(sequence: plan.sequence, logIncarnation: log, for: request, context) { emit in
            do {
                try await cache.streamFullLoad(plan, emit: emit)
            } catch {
                metrics.loadFinished("full", after: .now - start, refused: true)
                // The status is sent: the client sees only a cut-short answer, the log says why.
                logger.warning("FullLoad answer for client '\(plan.clientId)' stopped after its first byte: \(error)")
                throw error
            }
            metrics.loadFinished("full", after: .now - start, refused: false)
        }
    }
}
