import ArborCore
import ArborStore
import HTTPTypes
import Hummingbird

/// Runs before every route but the plain status GETs (§7.3, they are installed outside its
/// group): refuses an incompatible edge
/// (protocol version, a schema the site never held), then authenticates the request ONCE
/// (``RequestAuthority/authenticate(clientId:secret:certificateName:peer:)``) and puts the client
/// and the edge's older schema on the ``ArborRequestContext`` for the route. A refused request
/// reaches no handler, so it reads and stores nothing.
struct RequestIdentityMiddleware: RouterMiddleware {
    typealias Context = ArborRequestContext

    let exchange: HTTPExchange

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.peerSchema = try await exchange.checkCompatibility(request)
        let site = exchange.context
        let certificateName = site.settings.requiresClientCertificates ? await context.clientCertificateName() : nil
        // A verified client certificate names its client when the request names none.
        do {
            context.client = try await site.authority.authenticate(
                clientId: exchange.clientId(request) ?? certificateName, secret: exchange.clientSecret(request), certificateName: certificateName,
                peer: context.peerAddress
            )
        } catch {
            let code = error.code
            if Self.authenticationFailures.contains(code) { site.metrics.authenticationFailed(code) }
            throw error
        }
        if let client = context.client { site.activity.clientSeen(client.id, atMicroseconds: EntitiesSubsystem.systemMicroseconds()) }
        return try await next(request, context)
    }

    /// The refusals counted as authentication failures (a disabled client authenticated).
    static let authenticationFailures: Set<ArborErrorCode> = [.notAuthenticated, .unknownClient, .tooManyAttempts]
}
