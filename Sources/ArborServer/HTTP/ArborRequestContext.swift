import ArborCore
import Hummingbird
import NIOCore
import NIOSSL
import X509

/// Hummingbird's request context plus the request's connection (so the identity middleware
/// can read the client's TLS certificate, issue 6) and what ``RequestIdentityMiddleware`` found
/// out about the request: the authenticated client and the edge's older schema, if any.
public struct ArborRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The client the request comes from, authenticated once by ``RequestIdentityMiddleware``;
    /// nil for an anonymous request (only where the site allows one).
    public internal(set) var client: AuthenticatedClient?
    /// The older schema of the site's history the edge runs (delta answers are cut down to it);
    /// nil when it runs the site's current one.
    public internal(set) var peerSchema: DistributionSchema?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The address of the peer that opened the connection (Hummingbird's tracing reads it too).
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// The peer's IP address without the port, the key wrong secrets are backed off by
    /// (issue 11 item 4); nil for a Unix-domain socket.
    var peerAddress: String? { remoteAddress?.ipAddress }

    /// The common name of the certificate the client presented, which the listener verified
    /// against its client CA; nil on plain HTTP or when the client presented none.
    func clientCertificateName() async -> String? {
        guard let presented = try? await channel.nioSSL_peerCertificate().get(), let certificate = try? Certificate(presented) else { return nil }
        for name in certificate.subject.reversed() {
            for attribute in name.reversed() where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value)
            }
        }
        return nil
    }
}

extension Certificate {
    /// The certificate as swift-certificates reads it.
    init(_ certificate: NIOSSLCertificate) throws {
        try self.init(derEncoded: try certificate.toDERBytes())
    }
}
