import Hummingbird
import NIOCore
import NIOSSL
import X509

/// Hummingbird's request context plus the request's connection, so that a handler can read
/// the client's TLS certificate (client authentication by certificate, issue 6).
public struct ArborRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

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
