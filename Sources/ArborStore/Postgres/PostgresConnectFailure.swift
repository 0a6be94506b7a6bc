import PostgresNIO

/// Why connecting to PostgreSQL failed, in words that name the server and what to check,
/// instead of PostgresNIO's codes (`sslUnsupported`, `authMechanismRequiresPassword`,
/// `SingleConnectionFailure(target: …)`). Never includes the password.
enum PostgresConnectFailure {
    /// The cause and the fix for `error`, raised connecting to `location`.
    static func explain(_ error: any Error, at location: PostgresLocation) -> String {
        let server = "\(location.host):\(location.port)"
        guard let error = error as? PSQLError else { return transport(error, server: server, host: location.host) }
        switch error.code {
        case .server:
            return serverRefusal(error, location: location)
        case .sslUnsupported:
            return "the server at \(server) does not accept TLS, and the URL's sslmode=\(location.sslMode.rawValue) requires it: turn on ssl in its postgresql.conf, or use sslmode=prefer (or disable) on a trusted network"
        case .authMechanismRequiresPassword:
            return "the server at \(server) asks for a password for user '\(location.username)' and none was given: put it in PGPASSWORD, in ~/.pgpass (\(location.host):\(location.port):\(location.database):\(location.username):PASSWORD, mode 600) or in the URL"
        case .unsupportedAuthMechanism:
            return "the server at \(server) asks for an authentication method Arbor does not speak: allow scram-sha-256 or md5 for user '\(location.username)' in its pg_hba.conf"
        case .saslError:
            return "the server at \(server) refused the password exchange for user '\(location.username)': check the password"
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return "TLS with the server at \(server) could not start: check that it is PostgreSQL with ssl on, or use sslmode=disable on a trusted network"
        case .connectionError:
            return transport(error.underlying ?? error, server: server, host: location.host)
        default:
            return "the connection to \(server) failed (\(error.code)): check that PostgreSQL runs there and the URL's host, port and database"
        }
    }

    /// A refusal by the server itself, by SQLSTATE.
    private static func serverRefusal(_ error: PSQLError, location: PostgresLocation) -> String {
        let said = error.serverInfo?[.message] ?? "no message"
        let server = "\(location.host):\(location.port)"
        switch error.serverInfo?[.sqlState] {
        case "28P01":
            return "the server at \(server) says: \(said): check the password of user '\(location.username)' (URL, PGPASSWORD or ~/.pgpass)"
        case "28000":
            return "the server at \(server) says: \(said): allow this host, user '\(location.username)' and database '\(location.database)' in its pg_hba.conf"
        case "3D000":
            return "the server at \(server) says: \(said): create it (CREATE DATABASE \(location.database) OWNER \(location.username)) or fix the database name in the URL"
        case "53300":
            return "the server at \(server) says: \(said): lower pool_size in the URL or raise max_connections"
        default:
            return "the server at \(server) says: \(said)"
        }
    }

    /// A failure below PostgreSQL: the host name, the socket, TLS or the time allowed.
    private static func transport(_ error: any Error, server: String, host: String) -> String {
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return "the host name '\(host)' is unknown: check the URL's host"
            }
            if let failure = connection.connectionErrors.first { return transport(failure.error, server: server, host: host) }
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "nothing listens at \(server): check that PostgreSQL runs there and the URL's port (listen_addresses, port in postgresql.conf)"
            case EHOSTUNREACH, ENETUNREACH: return "\(server) cannot be reached from this machine: check the URL's host and the network"
            default: break
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return "\(server) did not answer in time: check the URL's host and port and that no firewall drops the connection"
        }
        if error is NIOSSLError {
            return "TLS with \(server) failed (\(error)): with sslmode=verify-full, check sslrootcert and that the URL's host is the name in the server's certificate"
        }
        if String(describing: error).contains("UnknownHost") { return "the host name '\(host)' is unknown: check the URL's host" }
        return "the connection to \(server) failed (\(error)): check that PostgreSQL runs there and the URL's host and port"
    }
}
