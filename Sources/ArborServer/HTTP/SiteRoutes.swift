import ArborCore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The HTTP API of one site instance (`Docs/openapi.json`): `/arbor/{instance}/delta/...` and
/// `/arbor/{instance}/cache/...`, each a thin adapter from JSON to a server method.
public struct SiteRoutes: Sendable {
    let exchange: HTTPExchange
    let paths: ServicePaths
    let delta: DeltaServer?
    let cache: CacheServer?

    /// Routes for the servers given (a process may run the delta server, the cache server or both, §7.1);
    /// request bodies draw from `bodyBudget` while being read.
    public init(
        context: SiteContext, paths: ServicePaths, delta: DeltaServer?, cache: CacheServer?,
        bodyBudget: RequestBodyBudget = RequestBodyBudget(capacity: SocketLimits.defaultRequestBodyBudgetBytes)
    ) {
        exchange = HTTPExchange(context: context, bodyBudget: bodyBudget)
        self.paths = paths
        self.delta = delta
        self.cache = cache
    }

    /// Adds the routes to `router`: the plain status GETs as they are, every other route behind
    /// the ``RequestIdentityMiddleware`` (compatibility, then authentication once).
    public func install(on router: Router<ArborRequestContext>) {
        router.add(middleware: ErrorAnswerMiddleware(exchange: exchange, paths: paths))
        let identified = router.group().add(middleware: RequestIdentityMiddleware(exchange: exchange))
        installStatus(on: router)
        if let delta { installDelta(delta, statusOn: router, routesOn: identified) }
        if let cache { installCache(cache, statusOn: router, routesOn: identified) }
        installMetrics(on: router)
    }

    private func installDelta(_ delta: DeltaServer, statusOn router: Router<ArborRequestContext>, routesOn group: RouterGroup<ArborRequestContext>) {
        router.get(RouterPath(paths.deltaRoot)) { _, _ in exchange.json(status(server: "delta")) }
        post(paths.delta("fetch"), balanced: true, on: group) { request, context in
            var request = request
            let body = try await exchange.decode(FetchRequest.self, from: &request)
            // Read before the fetch checks the client's: a renewal in between is refused next time.
            let log = try await exchange.context.logIncarnation()
            // Shutdown must not wait for open long polls: they end with what they have.
            let client = context.client
            let answer = try await Self.untilGracefulShutdown {
                try await delta.fetch(client: client, request: body)
            } ?? DeltaBatch(buffers: [], sequence: body.fromSequence)
            return try exchange.deltas(answer, for: request, context, logIncarnation: log)
        }
        post(paths.delta("register"), on: group) { request, context in
            var request = request
            let body = try await exchange.decode(RegisterRequest.self, from: &request)
            return exchange.json(SequenceResponse(sequence: try await delta.register(client: try required(context), entities: body.entities)))
        }
        post(paths.delta("unregister"), on: group) { request, context in
            var request = request
            let body = try await exchange.decode(UnregisterRequest.self, from: &request)
            let sequence = try await delta.unregister(
                client: try required(context), entities: body.entities, sequence: body.sequence, fetchedThrough: body.fetchedThrough)
            return exchange.json(SequenceResponse(sequence: sequence))
        }
        post(paths.delta("append"), on: group) { request, context in
            // Anonymous writes are never served (issue 11): refused before the body is read.
            let client = try required(context)
            var request = request
            let data = try await exchange.body(of: &request)
            let writes: [EntityWrite]
            do {
                writes = try EntityWriteJSON.decode(data, schema: exchange.context.schema)
            } catch let error as DeltaCodecError {
                throw ServerError(.badRequest, error.description)
            }
            let requestId = request.headers[HTTPField.Name(ArborProtocol.Header.requestId)!]
            return exchange.json(try await delta.append(writes, client: client, requestId: requestId))
        }
        installLink(delta, on: group)
    }

    private func installCache(_ cache: CacheServer, statusOn router: Router<ArborRequestContext>, routesOn group: RouterGroup<ArborRequestContext>) {
        router.get(RouterPath(paths.cacheRoot)) { _, _ in exchange.json(status(server: "cache")) }
        post(paths.cache("full-load"), balanced: true, on: group) { request, context in
            var request = request
            let body = try await exchange.decode(LoadRequest.self, from: &request)
            return try await streamedFullLoad(cache, slice: body.slice, for: request, context)
        }
        post(paths.cache("partial-load"), balanced: true, on: group) { request, context in
            var request = request
            let body = try await exchange.decode(LoadRequest.self, from: &request)
            let log = try await exchange.context.logIncarnation()
            let answer = try await timedLoad("partial") { try await cache.partialLoad(client: try required(context), slice: body.slice) }
            return try exchange.deltas(answer, for: request, context, logIncarnation: log)
        }
        post(paths.cache("select-minus"), on: group) { request, context in
            var request = request
            let body = try await exchange.decode(SelectMinusRequest.self, from: &request)
            let entities = try await cache.selectMinus(client: try required(context), oldSlice: body.oldSlice, newSlice: body.newSlice)
            return exchange.json(EntityListResponse(entities: entities))
        }
        post(paths.cache("sync-load"), balanced: true, on: group) { request, context in
            var request = request
            let body = try await exchange.decode(SyncLoadRequest.self, from: &request)
            let log = try await exchange.context.logIncarnation()
            let answer = try await timedLoad("sync") {
                try await cache.syncLoad(
                    client: try required(context), slice: body.slice, lastTransmissionTime: body.lastTransmissionTime, entities: body.entities,
                    fetchedThrough: body.fetchedThrough
                )
            }
            return try exchange.deltas(answer, for: request, context, logIncarnation: log)
        }
        post(paths.cache("skip-load"), balanced: true, on: group) { request, context in
            var request = request
            let body = try await exchange.decode(SkipLoadRequest.self, from: &request)
            let log = try await exchange.context.logIncarnation()
            let sequence = try await timedLoad("skip") {
                try await cache.skipLoad(client: try required(context), slice: body.slice, lastSequence: body.lastSequence, logIncarnation: body.logIncarnation)
            }
            var response = exchange.json(SequenceResponse(sequence: sequence))
            HTTPExchange.setLogIncarnation(log, on: &response.headers)
            return response
        }
        installDigests(cache, on: group)
    }

    /// A POST route behind the identity middleware; its handler just throws a ``ServerError``
    /// to refuse. With `balanced`, a successful answer may tell the edge to move to a less
    /// loaded server of the site.
    func post(
        _ path: String, balanced: Bool = false, on group: RouterGroup<ArborRequestContext>,
        _ handle: @escaping @Sendable (Request, ArborRequestContext) async throws -> Response
    ) {
        let balancer = balanced ? exchange.context.balancer : nil
        group.post(RouterPath(path)) { request, context in
            var response = try await handle(request, context)
            if let balancer, let client = context.client, let target = balancer.noteRequest(clientId: client.id) {
                response.headers[HTTPField.Name(ArborProtocol.Header.redirect)!] = target
            }
            return response
        }
    }

    /// The request's authenticated client, for a route no anonymous request may use.
    func required(_ context: ArborRequestContext) throws(ServerError) -> AuthenticatedClient {
        try exchange.context.authority.requireClient(context.client, for: "this request")
    }

    private func status(server: String) -> StatusResponse {
        let context = exchange.context
        return StatusResponse(
            server: server, site: context.siteName, instance: paths.instance, up: true, sequence: context.logTail.lastSequence,
            schemaName: context.schema.name, connectedToCenter: context.connectedToCenter(), isMaster: context.isMaster()
        )
    }

    /// Runs `operation`, cancelling it when graceful shutdown begins; nil when cancelled so.
    static func untilGracefulShutdown<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        do {
            return try await cancelWhenGracefulShutdown(operation)
        } catch is CancellationError {
            return nil
        }
    }
}
