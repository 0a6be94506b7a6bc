import ArborCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One protocol request, independent of the server it goes to.
struct EdgeRequest: Sendable {
    enum Method: Sendable { case get, post }

    var method: Method
    /// The path after the server's base URL, such as `/arbor/1/delta/fetch`.
    var path: String
    var body: Data?
    /// The `Accept` media type.
    var accept: String
    var timeout: Duration
    /// Whether sending it twice is harmless; appends are not, so they fail over only when
    /// they certainly were not sent.
    var idempotent: Bool
}

/// Sends one request to one server with AsyncHTTPClient: the only I/O of the edge.
struct EdgeTransport: Sendable {
    /// The outcome of one attempt.
    enum Outcome: Sendable {
        /// The server answered (any status).
        case replied(EdgeReply)
        /// No answer; `sent` says whether the request may have reached the server.
        case failed(reason: String, sent: Bool)
    }

    let client: HTTPClient
    let headers: [(String, String)]
    let maxResponseBytes: Int

    init(client: HTTPClient, configuration: EdgeConfiguration) {
        self.client = client
        maxResponseBytes = configuration.maxResponseBytes
        var headers = [
            (ArborProtocol.Header.protocolVersion, String(ArborProtocol.version)),
            (ArborProtocol.Header.schemaName, configuration.schema.name),
        ]
        if let clientId = configuration.clientId { headers.append((ArborProtocol.Header.clientId, clientId)) }
        if let secret = configuration.clientSecret { headers.append((ArborProtocol.Header.clientSecret, secret)) }
        if let incarnation = configuration.siteIncarnation { headers.append((ArborProtocol.Header.siteIncarnation, incarnation.uuidString)) }
        self.headers = headers
    }

    /// Sends `request` to `server`; throws only `CancellationError` (and `InvalidResponse` for
    /// an answer above the size limit), every other failure is an ``Outcome``.
    func send(_ request: EdgeRequest, to server: String) async throws -> Outcome {
        var http = HTTPClientRequest(url: server + request.path)
        http.method = request.method == .post ? .POST : .GET
        for (name, value) in headers { http.headers.add(name: name, value: value) }
        http.headers.add(name: "Accept", value: request.accept)
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(http, timeout: TimeAmount(request.timeout))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            let reply = EdgeReply(status: Int(response.status.code), server: server, body: Array(body.readableBytesView)) {
                response.headers.first(name: $0)
            }
            return .replied(reply)
        } catch is NIOTooManyBytesError {
            throw EdgeError(code: .invalidResponse, message: "answer larger than maxResponseBytes (\(maxResponseBytes))", server: server)
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            return .failed(reason: Self.describe(error, server: server), sent: !Self.isConnectFailure(error))
        }
    }

    /// Whether `error` happened before a connection existed, so the request was not sent.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        // A failed TLS handshake happens before any request byte is sent; other TLS errors
        // (an unclean shutdown, say) may come after the request went out.
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed, .unableToValidateCertificate, .noCertificateToValidate, .cannotMatchULabel: return true
            default: return false
            }
        }
        if let error = error as? NIOSSLExtraError {
            return error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .getConnectionFromPoolTimeout
        }
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        return false
    }

    static func describe(_ error: any Error, server: String = "") -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return "cannot connect: \(first.error)"
        }
        if error is NIOSSLError || error is NIOSSLExtraError {
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS handshake failed: the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); "
                    + "if your own CA signed it, trust the CA's PEM file (an edge's trustRootsFile with a client made by Edge.failoverClientConfiguration(trustRoots:); "
                    + "fatherCAFile for a son's link; --ca-file for arbor verify)"
            }
            if (error as? NIOSSLExtraError) == .failedToValidateHostname {
                return "TLS handshake failed: the server's certificate does not name the host of \(server); use a URL with a name or IP address the certificate lists"
            }
            return "TLS handshake failed: \(text); check that \(server) serves HTTPS and that trustRootsFile holds the CA that signed its certificate"
        }
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed, server.lowercased().hasPrefix("http://") {
            return "the server closed the connection without answering (if it serves HTTPS, use https:// in the server URL)"
        }
        return "\(error)"
    }
}

extension TimeAmount {
    /// The same length in nanoseconds (saturating).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(.max) : .nanoseconds(scaled &+ attoseconds / 1_000_000_000)
    }
}
