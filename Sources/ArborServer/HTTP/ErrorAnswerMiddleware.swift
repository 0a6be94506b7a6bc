import ArborCore
import ArborStore
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
            return answer(error, to: request)
        } catch let error as HTTPError where error.status == .notFound {
            let message = "no Arbor service at \(request.uri.path): this server is instance '\(paths.instance)' of site '\(exchange.context.siteName)' "
                + "and serves \(paths.deltaRoot)/… and \(paths.cacheRoot)/… (check the instance and port the client uses)"
            return answer(ServerError(.notFound, message), to: request)
        } catch {
            let context = exchange.context
            return answer(.storeFailure("request to \(request.uri.path)", error, siteName: context.siteName, logger: context.logger), to: request)
        }
    }

    /// The error answer, kept among the status page's recent errors.
    private func answer(_ error: ServerError, to request: Request) -> Response {
        let client = request.headers[HTTPField.Name(ArborProtocol.Header.clientId)!].map { " (client '\($0.prefix(64))')" } ?? ""
        exchange.context.activity.recordError(
            source: "\(request.method) \(request.uri.path.prefix(200))\(client)", code: error.code.rawValue, message: error.message,
            atMicroseconds: EntitiesSubsystem.systemMicroseconds()
        )
        var response = exchange.error(error)
        if error.code == .notAuthenticated, StatusAccess.isStatusPath(request.uri.path, paths: paths) {
            // A browser asks for the id and secret of a status client.
            response.headers[.wwwAuthenticate] = "Basic realm=\"arbor status\", charset=\"UTF-8\""
        }
        return response
    }
}
