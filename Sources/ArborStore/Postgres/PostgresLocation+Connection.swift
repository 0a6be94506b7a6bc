import NIOSSL
import PostgresNIO

extension PostgresLocation {
    /// The TLS settings for ``sslMode``; nil for `disable`. A CA file that cannot be read is
    /// `.invalidConfiguration` naming it.
    func tlsConfiguration() throws(StoreError) -> TLSConfiguration? {
        guard sslMode != .disable else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        // As libpq: prefer and require encrypt without checking the certificate; verify-full checks it.
        tls.certificateVerification = sslMode == .verifyFull ? .fullVerification : .none
        if sslMode == .verifyFull, let file = sslRootCertificateFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw StoreError(.invalidConfiguration, "PostgreSQL sslrootcert '\(file)' is not a readable PEM certificate file: \(error)")
            }
        }
        return tls
    }

    /// A configuration for one direct connection.
    func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let settings = try tlsConfiguration() {
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: settings) } catch {
                throw StoreError(.invalidConfiguration, "PostgreSQL TLS settings are unusable: \(error)")
            }
            tls = sslMode == .prefer ? .prefer(context) : .require(context)
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// A configuration for a pool of at most ``poolSize`` connections.
    func clientConfiguration() throws(StoreError) -> PostgresClient.Configuration {
        var tls = PostgresClient.Configuration.TLS.disable
        if let settings = try tlsConfiguration() { tls = sslMode == .prefer ? .prefer(settings) : .require(settings) }
        var pool = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        pool.options.maximumConnections = poolSize
        return pool
    }
}
