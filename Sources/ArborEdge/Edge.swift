import ArborCore
import AsyncHTTPClient
import NIOSSL
import Foundation
import Logging
import Synchronization

/// The client component that talks HTTP to a site's delta and cache servers (§2.1.4): loads,
/// steady-state fetches, registration, appends, with fail-over across the site's servers and
/// the site's connected-to-center status (§8.2).
///
/// The session state (current server, slice, sequence, connected-to-center) lives in a `Mutex`
/// rather than an actor: the guide's properties (``sequence``, ``slice``, ``connectedToCenter``)
/// stay plain synchronous reads, and the lock is only held for short state changes, never
/// across a request. Calls may run concurrently, except that one fetch runs at a time.
public final class Edge: Sendable {
    /// Which server of the site a status request goes to.
    public enum ServerKind: Hashable, Sendable {
        case delta, cache
    }

    /// The validated settings.
    public let configuration: EdgeConfiguration
    let transport: EdgeTransport
    let state: Mutex<EdgeSessionState>
    let logger: Logger
    let clock = ContinuousClock()

    /// An edge for `configuration`, sending through `httpClient`.
    ///
    /// `HTTPClient.shared` retries refused connections until the request's deadline, so a
    /// down server is failed over only after ``EdgeConfiguration/requestTimeout``; for quick
    /// fail-over pass a client whose `connectionPool.retryConnectionEstablishment` is false
    /// (see ``Edge/failoverClientConfiguration(connectTimeout:)``). The caller owns the client.
    public init(configuration: EdgeConfiguration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "arbor.edge")) {
        self.configuration = configuration
        transport = EdgeTransport(client: httpClient, configuration: configuration)
        guard let servers = SiteServerList(configuration.servers) else {
            preconditionFailure("EdgeConfiguration guarantees at least one server")
        }
        state = Mutex(EdgeSessionState(servers: servers))
        self.logger = logger
        if let trustRoots = configuration.trustRoots, httpClient === HTTPClient.shared {
            logger.warning("arbor edge: trustRootsFile \(trustRoots.file) is not used by HTTPClient.shared; pass a client made with Edge.failoverClientConfiguration(trustRoots:)")
        }
        if let certificate = configuration.clientCertificate, httpClient === HTTPClient.shared {
            logger.warning("arbor edge: clientCertificateFile \(certificate.certificateFile) is not presented by HTTPClient.shared; pass a client made with Edge.failoverClientConfiguration(clientCertificate:)")
        }
    }

    /// An AsyncHTTPClient configuration suited to fail-over: a failed connection fails the
    /// request at once (no in-client retries), connecting gives up after `connectTimeout`,
    /// and HTTP redirects are not followed (Arbor redirects use `X-Arbor-Redirect`).
    /// `https://` servers are verified against `trustRoots` (the system's roots when nil;
    /// pass ``EdgeConfiguration/trustRoots`` for an edge with a `trustRootsFile`).
    /// With `clientCertificate`, the client presents it to sites that require client certificates.
    public static func failoverClientConfiguration(
        connectTimeout: Duration = .seconds(3), trustRoots: EdgeTrustRoots? = nil, clientCertificate: EdgeClientCertificate? = nil
    ) -> HTTPClient.Configuration {
        var tls = trustRoots?.clientTLSConfiguration
        if let clientCertificate {
            var withIdentity = tls ?? TLSConfiguration.makeClientConfiguration()
            clientCertificate.present(in: &withIdentity)
            tls = withIdentity
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .init(connectTimeout))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// The sequence the client holds: the next fetch asks for deltas after it.
    public var sequence: Int64 { state.withLock { $0.sequence } }
    /// The slice fetches use; nil before the first load.
    public var slice: String? { state.withLock { $0.slice } }
    /// The incarnation of the site's log ``sequence`` belongs to (nil when the site sends
    /// none). Keep it with the sequence and pass both to ``skipLoad(slice:lastSequence:logIncarnation:)``
    /// after a restart: a site restored from a backup then refuses with `LogReplaced`.
    public var logIncarnation: UUID? { state.withLock { $0.logIncarnation } }
    /// Whether the site was connected to the center at the last answer (§8.2).
    public var connectedToCenter: Bool { state.withLock { $0.connectedToCenter } }
    /// The base URL requests go to now.
    public var currentServer: String { state.withLock { $0.servers.current } }

    // MARK: Requests

    /// The path of a delta-server service (`fetch`, `register`, …); nil service for the status root.
    func deltaPath(_ service: String? = nil) -> String {
        "/arbor/\(configuration.instance)/delta" + (service.map { "/\($0)" } ?? "")
    }

    /// The path of a cache-server service (`full-load`, …); nil service for the status root.
    func cachePath(_ service: String? = nil) -> String {
        "/arbor/\(configuration.instance)/cache" + (service.map { "/\($0)" } ?? "")
    }

    /// A POST of `body` as JSON.
    func post(
        _ path: String, _ body: some Encodable, deltas: Bool = false, wait: Duration = .zero, idempotent: Bool = true
    ) throws(EdgeError) -> EdgeRequest {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch {
            throw EdgeError(code: .badRequest, message: "request body does not encode: \(error)")
        }
        return EdgeRequest(
            method: .post, path: path, body: data,
            accept: deltas ? configuration.format.mediaType : ArborProtocol.jsonMediaType,
            timeout: configuration.requestTimeout + wait, idempotent: idempotent
        )
    }

    /// Sends `request` to the current server, failing over to the next on connection errors,
    /// timeouts and 5xx; returns the first 2xx answer, throws a protocol error as answered, and
    /// throws `Unreachable` once every server failed in this call.
    func perform(_ request: EdgeRequest) async throws -> EdgeReply {
        if let delay = state.withLock({ $0.backoffDelay(at: clock.now, backoff: configuration.retryBackoff) }) {
            try await Task.sleep(for: delay, clock: clock)
        }
        var server = currentServer
        var failures: [(server: String, reason: String)] = []
        var sentSomewhere = false
        for _ in configuration.servers.indices {
            switch try await transport.send(request, to: server) {
            case .replied(let reply):
                state.withLock { $0.received(connectedToCenter: reply.connectedToCenter, redirect: reply.redirect) }
                switch reply.disposition(idempotent: request.idempotent) {
                case .answered:
                    state.withLock { $0.succeeded() }
                    return reply
                case .protocolError(let error):
                    state.withLock { $0.succeeded() }
                    throw error
                case .serverFailed(let reason):
                    failures.append((server, reason))
                }
            case .failed(let reason, let sent):
                if sent, !request.idempotent {
                    throw EdgeError(
                        code: .outcomeUnknown,
                        message: "no answer after sending (\(reason)); the writes may or may not have been committed",
                        server: server
                    )
                }
                sentSomewhere = sentSomewhere || sent
                failures.append((server, reason))
            }
            let now = clock.now
            let (next, notice) = state.withLock { state in
                let next = state.failed(server)
                return (next, state.failoverNotice(from: server, to: next, at: now))
            }
            if let suppressed = notice {
                var metadata: Logger.Metadata = ["from": "\(server)", "to": "\(next)", "reason": "\(failures.last?.reason ?? "")"]
                if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
                logger.notice("arbor edge fails over", metadata: metadata)
            }
            server = next
        }
        state.withLock { $0.roundFailed(at: clock.now) }
        if let requestId = request.requestId, sentSomewhere {
            let reasons = failures.map { "\($0.server): \($0.reason)" }.joined(separator: "; ")
            throw EdgeError(
                code: .outcomeUnknown,
                message: "no answer from any server (\(reasons)); the writes may or may not have been committed: resend with request id '\(requestId)'",
                server: failures.last?.server
            )
        }
        throw EdgeError.unreachable(failures)
    }
}
