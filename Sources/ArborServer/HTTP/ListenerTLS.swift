import ArborEdge
import Foundation
import NIOSSL

/// The TLS identity of a site's HTTP listener (issue 6): a PEM certificate chain and its PEM
/// private key, read and checked once at start so a bad file stops the server with a message
/// naming it instead of failing every handshake later.
public struct ListenerTLS: Sendable {
    /// The certificate file (leaf first, then intermediates).
    public let certificateFile: String
    /// The private key file.
    public let keyFile: String
    /// The server TLS configuration built from both files.
    public let configuration: TLSConfiguration
    /// Whether clients must present a certificate signed by the client CA (`tlsClientCAFile`).
    public var requiresClientCertificates: Bool { configuration.certificateVerification != .none }

    /// Reads and checks both files; the message names the file at fault and what to do.
    /// With `clientCAFile`, every client must present a certificate that CA signed (the
    /// certificate's common name then identifies the client, see `SiteContext`).
    public static func load(certificateFile: String, keyFile: String, clientCAFile: String? = nil) throws(ServeConfigurationError) -> ListenerTLS {
        let certificateData = try read(certificateFile, setting: "tlsCertificateFile", what: "certificate")
        let keyData = try read(keyFile, setting: "tlsKeyFile", what: "private key")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateData)) } catch { chain = [] }
        guard !chain.isEmpty else {
            throw ServeConfigurationError(
                "tlsCertificateFile: \(certificateFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the server's certificate chain in PEM form"
            )
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: Array(keyData), format: .pem) } catch {
            throw ServeConfigurationError(
                "tlsKeyFile: \(keyFile) holds no usable PEM private key (-----BEGIN PRIVATE KEY-----); give the unencrypted key of the certificate in \(certificateFile)"
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCAFile {
            let authorities: EdgeTrustRoots
            do { authorities = try EdgeTrustRoots.load(file: clientCAFile) } catch {
                throw ServeConfigurationError("tlsClientCAFile (the CA that signs the clients' certificates): \(error.message)")
            }
            // Clients are not servers: their certificates name a client id, not a host.
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(authorities.certificates)
        }
        // Building a context checks that the key belongs to the certificate.
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw ServeConfigurationError(
                "tlsKeyFile: the key in \(keyFile) does not match the certificate in \(certificateFile) (\(error)); give the key the certificate was issued for"
            )
        }
        return ListenerTLS(certificateFile: certificateFile, keyFile: keyFile, configuration: configuration)
    }

    private static func read(_ file: String, setting: String, what: String) throws(ServeConfigurationError) -> Data {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ServeConfigurationError("\(setting): cannot read the \(what) file \(file): check that it exists and is readable by the arbor user")
        }
        return data
    }
}
