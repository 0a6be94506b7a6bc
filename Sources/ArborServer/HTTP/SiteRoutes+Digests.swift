import ArborCore
import Foundation
import Hummingbird

extension SiteRoutes {
    /// `POST /arbor/{instance}/cache/digests` (`arbor verify`): per-entity digests of the
    /// entities a slice selects, as a JSON ``DigestResponse``.
    func installDigests(_ cache: CacheServer, on router: Router<ArborRequestContext>) {
        post(paths.cache("digests"), on: router) { request in
            var request = request
            let body = try await exchange.decode(DigestRequest.self, from: &request)
            return exchange.json(try await cache.digests(clientId: exchange.clientId(request), slice: body.slice))
        }
    }
}
