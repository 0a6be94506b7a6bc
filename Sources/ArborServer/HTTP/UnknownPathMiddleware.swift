import ArborCore
import Hummingbird

/// Answers a request for a path this process does not serve with the protocol's JSON
/// `NotFound` error naming the instance it does serve (§7.2): several instances may run on
/// one machine, and a request with another instance's name must not look like a server fault.
struct UnknownPathMiddleware: RouterMiddleware {
    typealias Context = ArborRequestContext

    let exchange: HTTPExchange
    let paths: ServicePaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let message = "no Arbor service at \(request.uri.path): this server is instance '\(paths.instance)' of site '\(exchange.context.siteName)' "
                + "and serves \(paths.deltaRoot)/… and \(paths.cacheRoot)/… (check the instance and port the client uses)"
            return exchange.error(ServerError(.notFound, message))
        }
    }
}
