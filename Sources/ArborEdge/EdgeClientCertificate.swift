import Foundation
import NIOSSL

/// A client's TLS certificate and private key, for sites that authenticate clients by
/// certificate (issue 6): the certificate's common name must be the client id.
public struct EdgeClientCertificate: Sendable, Hashable {
    /// The files the identity was read from, for messages.
    public let certificateFile: String
    public let keyFile: String
    /// The certificate chain, leaf first.
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey

    /// Reads a PEM certificate chain and its unencrypted PEM private key; throws
    /// `InvalidConfiguration` naming the file at fault.
    public static func load(certificateFile: String, keyFile: String) throws(EdgeError) -> EdgeClientCertificate {
        guard let certificateData = FileManager.default.contents(atPath: certificateFile) else {
            throw EdgeError(code: .invalidConfiguration, message: "cannot read the client certificate file \(certificateFile): check that it exists and is readable")
        }
        guard let keyData = FileManager.default.contents(atPath: keyFile) else {
            throw EdgeError(code: .invalidConfiguration, message: "cannot read the client key file \(keyFile): check that it exists and is readable")
        }
        let chain = (try? NIOSSLCertificate.fromPEMBytes(Array(certificateData))) ?? []
        guard !chain.isEmpty else {
            throw EdgeError(code: .invalidConfiguration, message: "the client certificate file \(certificateFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: Array(keyData), format: .pem) } catch {
            throw EdgeError(code: .invalidConfiguration, message: "the client key file \(keyFile) holds no usable unencrypted PEM private key")
        }
        return EdgeClientCertificate(certificateFile: certificateFile, keyFile: keyFile, chain: chain, key: key)
    }

    /// Adds this identity to a client TLS configuration.
    func present(in configuration: inout TLSConfiguration) {
        configuration.certificateChain = chain.map { .certificate($0) }
        configuration.privateKey = .privateKey(key)
    }
}
