import ArborCore
import Foundation
import Hummingbird

extension SiteRoutes {
    /// `POST /arbor/{instance}/cache/digests` (`arbor verify`): per-entity digests of the
    /// entities a slice selects, as a JSON ``DigestResponse``; and `POST …/cache/entity-load`,
    /// the targeted load that repairs what a comparison found.
    func installDigests(_ cache: CacheServer, on group: RouterGroup<ArborRequestContext>) {
        post(paths.cache("digests"), on: group) { request, context in
            var request = request
            let body = try await exchange.decode(DigestRequest.self, from: &request)
            return exchange.json(try await cache.digests(client: try required(context), slice: body.slice))
        }
        // `arbor verify --repair`: the differing entities, whole, from the site compared against.
        post(paths.cache("entity-load"), on: group) { request, context in
            var request = request
            let body = try await exchange.decode(EntityLoadRequest.self, from: &request)
            let log = try await exchange.context.logIncarnation()
            let answer = try await timedLoad("entity") { try await cache.entityLoad(client: try required(context), slice: body.slice, entities: body.entities, registering: body.register ?? false) }
            return try exchange.deltas(answer, for: request, context, logIncarnation: log)
        }
    }
}
