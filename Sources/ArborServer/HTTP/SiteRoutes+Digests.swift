import ArborCore
import Foundation
import Hummingbird

extension SiteRoutes {
    /// `POST /arbor/{instance}/cache/digests` (`arbor verify`): per-entity digests of the
    /// entities a slice selects, as a JSON ``DigestResponse``.
    func installDigests(_ cache: CacheServer, on router: Router<BasicRequestContext>) {
        let exchange = exchange
        let path = paths.cache("digests")
        router.post(RouterPath(path)) { request, _ in
            do {
                try exchange.checkCompatibility(request)
                var request = request
                let body = try await exchange.decode(DigestRequest.self, from: &request)
                return exchange.json(try await cache.digests(clientId: exchange.clientId(request), slice: body.slice))
            } catch let error as ServerError {
                return exchange.error(error)
            } catch {
                exchange.context.logger.error("request to \(path) failed: \(error)")
                return exchange.error(ServerError(.internalError, "the server failed; retry later"))
            }
        }
    }
}
