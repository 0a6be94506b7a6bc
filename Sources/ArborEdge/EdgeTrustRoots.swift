import Foundation
import NIOSSL

/// The certificate authorities a client trusts for `https://` servers instead of the system's
/// roots: a PEM bundle, typically the operator's own CA (issue 6).
public struct EdgeTrustRoots: Sendable, Hashable {
    /// The file the certificates were read from, for messages.
    public let file: String
    /// The trusted certificates.
    public let certificates: [NIOSSLCertificate]

    /// Reads the PEM certificates in `file`; throws `InvalidConfiguration` naming the file
    /// when it cannot be read or holds no certificate.
    public static func load(file: String) throws(EdgeError) -> EdgeTrustRoots {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EdgeError(
                code: .invalidConfiguration,
                message: "cannot read the trust roots file \(file): check that it exists and is readable"
            )
        }
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMBytes(Array(data)) } catch {
            certificates = []
        }
        guard !certificates.isEmpty else {
            throw EdgeError(
                code: .invalidConfiguration,
                message: "the trust roots file \(file) holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the certificate of the CA to trust in PEM form"
            )
        }
        return EdgeTrustRoots(file: file, certificates: certificates)
    }

    /// A client TLS configuration that trusts only these certificates.
    public var clientTLSConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(certificates)
        return configuration
    }
}
