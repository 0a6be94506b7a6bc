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

    /// Adds the routes to `router`.
    public func install(on router: Router<ArborRequestContext>) {
        router.add(middleware: UnknownPathMiddleware(exchange: exchange, paths: paths))
        if let delta { installDelta(delta, on: router) }
        if let cache { installCache(cache, on: router) }
    }

    private func installDelta(_ delta: DeltaServer, on router: Router<ArborRequestContext>) {
        router.get(RouterPath(paths.deltaRoot)) { _, _ in exchange.json(status(server: "delta")) }
        post(paths.delta("fetch"), balanced: true, on: router) { request in
            var request = request
            let body = try await exchange.decode(FetchRequest.self, from: &request)
            // Shutdown must not wait for open long polls: they end with what they have.
            let clientId = exchange.clientId(request)
            let answer = try await Self.untilGracefulShutdown {
                try await delta.fetch(clientId: clientId, request: body)
            } ?? DeltaBatch(buffers: [], sequence: body.fromSequence)
            return try exchange.deltas(answer.buffers, sequence: answer.sequence, json: exchange.wantsJSON(request))
        }
        post(paths.delta("register"), on: router) { request in
            var request = request
            let body = try await exchange.decode(RegisterRequest.self, from: &request)
            return exchange.json(SequenceResponse(sequence: try await delta.register(clientId: exchange.clientId(request), entities: body.entities)))
        }
        post(paths.delta("unregister"), on: router) { request in
            var request = request
            let body = try await exchange.decode(UnregisterRequest.self, from: &request)
            let sequence = try await delta.unregister(clientId: exchange.clientId(request), entities: body.entities, sequence: body.sequence)
            return exchange.json(SequenceResponse(sequence: sequence))
        }
        post(paths.delta("append"), on: router) { request in
            var request = request
            let data = try await exchange.body(of: &request)
            let writes: [EntityWrite]
            do {
                writes = try EntityWriteJSON.decode(data, schema: exchange.context.schema)
            } catch let error as DeltaCodecError {
                throw ServerError(.badRequest, error.description)
            }
            let requestId = request.headers[HTTPField.Name(ArborProtocol.Header.requestId)!]
            return exchange.json(try await delta.append(writes, clientId: exchange.clientId(request), requestId: requestId))
        }
        installLink(delta, on: router)
    }

    private func installCache(_ cache: CacheServer, on router: Router<ArborRequestContext>) {
        router.get(RouterPath(paths.cacheRoot)) { _, _ in exchange.json(status(server: "cache")) }
        post(paths.cache("full-load"), balanced: true, on: router) { request in
            var request = request
            let body = try await exchange.decode(LoadRequest.self, from: &request)
            let answer = try await cache.fullLoad(clientId: exchange.clientId(request), slice: body.slice)
            return try exchange.deltas(answer.buffers, sequence: answer.sequence, json: exchange.wantsJSON(request))
        }
        post(paths.cache("partial-load"), balanced: true, on: router) { request in
            var request = request
            let body = try await exchange.decode(LoadRequest.self, from: &request)
            let answer = try await cache.partialLoad(clientId: exchange.clientId(request), slice: body.slice)
            return try exchange.deltas(answer.buffers, sequence: answer.sequence, json: exchange.wantsJSON(request))
        }
        post(paths.cache("select-minus"), on: router) { request in
            var request = request
            let body = try await exchange.decode(SelectMinusRequest.self, from: &request)
            let entities = try await cache.selectMinus(clientId: exchange.clientId(request), oldSlice: body.oldSlice, newSlice: body.newSlice)
            return exchange.json(EntityListResponse(entities: entities))
        }
        post(paths.cache("sync-load"), balanced: true, on: router) { request in
            var request = request
            let body = try await exchange.decode(SyncLoadRequest.self, from: &request)
            let answer = try await cache.syncLoad(
                clientId: exchange.clientId(request), slice: body.slice, lastTransmissionTime: body.lastTransmissionTime, entities: body.entities
            )
            return try exchange.deltas(answer.buffers, sequence: answer.sequence, json: exchange.wantsJSON(request))
        }
        post(paths.cache("skip-load"), balanced: true, on: router) { request in
            var request = request
            let body = try await exchange.decode(SkipLoadRequest.self, from: &request)
            let sequence = try await cache.skipLoad(clientId: exchange.clientId(request), slice: body.slice, lastSequence: body.lastSequence)
            return exchange.json(SequenceResponse(sequence: sequence))
        }
        installDigests(cache, on: router)
    }

    /// A POST route whose errors become the protocol's JSON error answers.
    /// With `balanced`, a successful answer may tell the edge to move to a less loaded server of the site.
    func post(
        _ path: String, balanced: Bool = false, on router: Router<ArborRequestContext>, _ handle: @escaping @Sendable (Request) async throws -> Response
    ) {
        router.post(RouterPath(path)) { request, requestContext in
            do {
                let peerSchema = try await exchange.checkCompatibility(request)
                // Before any handler: a request naming a client must authenticate as it.
                let secret = exchange.clientSecret(request)
                let certificateName = exchange.context.settings.requiresClientCertificates ? await requestContext.clientCertificateName() : nil
                try await exchange.context.authenticate(
                    exchange.clientId(request), secret: secret, certificateName: certificateName, peer: requestContext.peerAddress
                )
                var response = try await HTTPExchange.$peerSchema.withValue(peerSchema) {
                    try await ClientAuthenticator.$requestCertificateName.withValue(certificateName) {
                        try await ClientAuthenticator.$requestSecret.withValue(secret) { try await handle(request) }
                    }
                }
                if balanced, let balancer = exchange.context.balancer, let clientId = exchange.clientId(request),
                   let target = balancer.noteRequest(clientId: clientId) {
                    response.headers[HTTPField.Name(ArborProtocol.Header.redirect)!] = target
                }
                return response
            } catch let error as ServerError {
                return exchange.error(error)
            } catch {
                exchange.context.logger.error("request to \(path) failed: \(error)")
                return exchange.error(ServerError(.internalError, "the server failed; retry later"))
            }
        }
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
