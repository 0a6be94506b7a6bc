import ArborEdge
import ArborServer

extension ServeConfiguration {
    /// The listener's TLS identity, or nil when plain HTTP was asked for explicitly (issue 6).
    /// Reads and checks the certificate and key files; every refusal says what to set.
    func listenerTLS() throws(ServeConfigurationError) -> ListenerTLS? {
        switch (tlsCertificateFile, tlsKeyFile) {
        case (nil, nil):
            guard tlsClientCAFile == nil else {
                throw ServeConfigurationError("tlsClientCAFile needs TLS: set tlsCertificateFile and tlsKeyFile too (client certificates travel in the TLS handshake)")
            }
            guard plainHTTP else {
                throw ServeConfigurationError(
                    "no TLS: set tlsCertificateFile and tlsKeyFile (ARBOR_TLS_CERTIFICATE_FILE / ARBOR_TLS_KEY_FILE) to PEM files, or set plainHTTP to true (ARBOR_PLAIN_HTTP, --plain-http) to serve unencrypted HTTP on a trusted network"
                )
            }
            return nil
        case (let certificate?, let key?):
            guard !plainHTTP else {
                throw ServeConfigurationError("plainHTTP is set together with tlsCertificateFile and tlsKeyFile: remove plainHTTP to serve HTTPS, or the TLS files to serve plain HTTP")
            }
            return try ListenerTLS.load(certificateFile: certificate, keyFile: key, clientCAFile: tlsClientCAFile)
        case (_?, nil):
            throw ServeConfigurationError("tlsCertificateFile is set but tlsKeyFile is not: give the certificate's private key too (ARBOR_TLS_KEY_FILE)")
        case (nil, _?):
            throw ServeConfigurationError("tlsKeyFile is set but tlsCertificateFile is not: give the certificate too (ARBOR_TLS_CERTIFICATE_FILE)")
        }
    }

    /// The CAs the father link trusts for an `https://` father (``fatherCAFile``), or nil for the
    /// system's roots.
    func fatherTrustRoots() throws(ServeConfigurationError) -> EdgeTrustRoots? {
        guard let fatherCAFile else { return nil }
        do { return try EdgeTrustRoots.load(file: fatherCAFile) } catch { throw ServeConfigurationError("fatherCAFile: \(error.message)") }
    }

    /// This site's client certificate at its father (``fatherClientCertificateFile`` and
    /// ``fatherClientKeyFile``), or nil when the link authenticates by secret only.
    func fatherClientCertificate() throws(ServeConfigurationError) -> EdgeClientCertificate? {
        switch (fatherClientCertificateFile, fatherClientKeyFile) {
        case (nil, nil): return nil
        case (let certificate?, let key?):
            do { return try EdgeClientCertificate.load(certificateFile: certificate, keyFile: key) } catch {
                throw ServeConfigurationError("fatherClientCertificateFile: \(error.message)")
            }
        default:
            throw ServeConfigurationError("fatherClientCertificateFile and fatherClientKeyFile go together: set both or neither")
        }
    }
}
