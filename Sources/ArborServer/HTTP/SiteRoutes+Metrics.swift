import Hummingbird
import NIOCore

extension SiteRoutes {
    /// The Prometheus text exposition format, version 0.0.4.
    static let metricsMediaType = "text/plain; version=0.0.4; charset=utf-8"

    /// `GET /metrics`: the site's metrics (``SiteMetrics``), served like the plain status GETs
    /// without a client (Docs/architecture.md, "Metrics").
    func installMetrics(on router: Router<ArborRequestContext>) {
        let exchange = exchange
        router.get("/metrics") { _, _ in
            let text = await exchange.context.metrics.exposition()
            var headers = exchange.headers(contentType: Self.metricsMediaType)
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// Runs a load of `kind`, recording how long it took (``SiteMetrics/loadFinished(_:after:refused:)``).
    func timedLoad<T: Sendable>(_ kind: String, _ load: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let answer = try await load()
            exchange.context.metrics.loadFinished(kind, after: .now - start, refused: false)
            return answer
        } catch {
            exchange.context.metrics.loadFinished(kind, after: .now - start, refused: true)
            throw error
        }
    }
}
