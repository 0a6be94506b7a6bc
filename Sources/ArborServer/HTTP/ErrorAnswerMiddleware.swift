import ArborCore
import HTTPTypes
import Hummingbird

/// The outermost middleware: every refusal leaves as the protocol's JSON error with the
/// connected-to-center header. A ``ServerError`` thrown anywhere below is answered as itself;
/// a path this process does not serve is `NotFound` naming the instance it does serve (§7.2:
/// several instances may share a machine); any other failure is logged and answered
/// `Internal` (retryable) without its details.
struct ErrorAnswerMiddleware: RouterMiddleware {
    typealias Context = ArborRequestContext

    let exchange: HTTPExchange
    let paths: ServicePaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            return exchange.error(error)
        } catch let error as HTTPError where error.status == .notFound {
            let message = "no Arbor service at \(request.uri.path): this server is instance '\(paths.instance)' of site '\(exchange.context.siteName)' "
                + "and serves \(paths.deltaRoot)/… and \(paths.cacheRoot)/… (check the instance and port the client uses)"
            return exchange.error(ServerError(.notFound, message))
        } catch {
            let context = exchange.context
            return exchange.error(.storeFailure("request to \(request.uri.path)", error, siteName: context.siteName, logger: context.logger))
        }
    }
}
