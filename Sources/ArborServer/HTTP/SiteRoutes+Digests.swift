import ArborCore
import Foundation
import Hummingbird

extension SiteRoutes {
    /// `POST /arbor/{instance}/cache/digests` (`arbor verify`): per-entity digests of the
    /// entities a slice selects, as a JSON ``DigestResponse``; and `POST …/cache/entity-load`,
    /// the targeted load that repairs what a comparison found.
    func installDigests(_ cache: CacheServer, on router: Router<ArborRequestContext>) {
        post(paths.cache("digests"), on: router) { request in
            var request = request
            let body = try await exchange.decode(DigestRequest.self, from: &request)
            return exchange.json(try await cache.digests(clientId: exchange.clientId(request), slice: body.slice))
        }
        // `arbor verify --repair`: the differing entities, whole, from the site compared against.
        post(paths.cache("entity-load"), on: router) { request in
            var request = request
            let body = try await exchange.decode(EntityLoadRequest.self, from: &request)
            let answer = try await cache.entityLoad(clientId: exchange.clientId(request), slice: body.slice, entities: body.entities)
            return try exchange.deltas(answer.buffers, sequence: answer.sequence, json: exchange.wantsJSON(request))
        }
    }
}
