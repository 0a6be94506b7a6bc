import ArborCore
import ArborStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The status page (`GET /arbor/{instance}/status`, HTML with inline CSS and script, no
/// external assets) and its data (`GET /arbor/{instance}/status.json`), served by every process
/// of the site to loopback requests and to the clients of `statusClients` (``StatusAccess``).
extension SiteRoutes {
    func installStatus(on router: Router<ArborRequestContext>) {
        let builder = SiteStatusBuilder(context: exchange.context)
        let instance = paths.instance
        router.get(RouterPath(paths.statusJSON)) { request, context in
            try await authorizeStatus(request, context)
            var response = exchange.json(try await builder.report(instance: instance, atMicroseconds: EntitiesSubsystem.systemMicroseconds()))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get(RouterPath(paths.statusPage)) { request, context in
            try await authorizeStatus(request, context)
            var headers = exchange.headers(contentType: "text/html; charset=utf-8")
            headers[.cacheControl] = "no-store"
            // The page loads nothing from elsewhere: its own script and style only.
            headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:"
            let page = StatusPage.html(site: exchange.context.siteName, instance: instance, jsonPath: paths.statusJSON)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }

    /// Admits loopback requests and authenticated clients of `statusClients`; refuses the rest
    /// with `NotAuthenticated` (no credential) or `NotPermitted` (a client not listed).
    private func authorizeStatus(_ request: Request, _ context: ArborRequestContext) async throws(ServerError) {
        if StatusAccess.isLoopback(context.peerAddress) { return }
        let site = exchange.context
        let basic = StatusAccess.basicCredentials(request.headers[.authorization])
        let certificateName = site.settings.requiresClientCertificates ? await context.clientCertificateName() : nil
        let client = try await site.authority.authenticate(
            clientId: exchange.clientId(request) ?? basic?.clientId ?? certificateName, secret: exchange.clientSecret(request) ?? basic?.secret,
            certificateName: certificateName, peer: context.peerAddress
        )
        guard let client else {
            throw ServerError(
                .notAuthenticated,
                "the status of site '\(site.siteName)' is answered to loopback requests and, from elsewhere, to the clients listed in its statusClients setting: log in with such a client's id and secret, or use an SSH tunnel"
            )
        }
        guard site.settings.statusClients.contains(client.id) else {
            throw ServerError(
                .notPermitted,
                "client '\(client.id)' may not read the status of site '\(site.siteName)' from another machine: add it to the site's statusClients setting, or use an SSH tunnel"
            )
        }
    }
}
