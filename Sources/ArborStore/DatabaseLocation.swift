import Foundation

/// Where a site's database lives: `postgres://user:pass@host:port/db` or `sqlite:PATH`.
public enum DatabaseLocation: Hashable, Sendable, CustomStringConvertible {
    case postgres(PostgresLocation)
    case sqlite(path: String)

    /// Parses a database URL, with an error that says which forms are accepted.
    public init(parsing text: String) throws(StoreError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw StoreError(.invalidConfiguration, "database URL 'sqlite:' has no path; write sqlite:/var/lib/arbor/site.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text))
            return
        }
        throw StoreError(
            .invalidConfiguration,
            "database URL must start with postgres:// or sqlite: (got '\(Self.redacted(text))')"
        )
    }

    /// The URL with any password hidden, safe for logs and messages.
    public var description: String {
        switch self {
        case .postgres(let location): return location.description
        case .sqlite(let path): return "sqlite:\(path)"
        }
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// How a PostgreSQL connection uses TLS, as libpq's `sslmode` names it.
public enum PostgresSSLMode: String, Hashable, Sendable, CaseIterable {
    /// Plain connections.
    case disable
    /// TLS when the server offers it, without checking its certificate (libpq's default).
    case prefer
    /// TLS always, without checking the server's certificate.
    case require
    /// TLS always, with the certificate checked against `sslrootcert` (or the system roots)
    /// and the host name.
    case verifyFull = "verify-full"
}

/// The parts of a PostgreSQL URL.
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `?sslmode=`; default `prefer`, as libpq.
    public var sslMode: PostgresSSLMode
    /// `?sslrootcert=`: a PEM CA bundle for `verify-full`.
    public var sslRootCertificateFile: String?
    /// `?pool_size=`: the most connections one process opens (default 20).
    public var poolSize: Int

    /// The query parameters a URL may carry.
    public static let parameters = ["sslmode", "sslrootcert", "pool_size"]

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        sslMode: PostgresSSLMode = .prefer, sslRootCertificateFile: String? = nil, poolSize: Int = 20
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificateFile = sslRootCertificateFile
        self.poolSize = poolSize
    }

    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&pool_size=…]`.
    public init(parsing text: String) throws(StoreError) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError(.invalidConfiguration, "PostgreSQL URL '\(DatabaseLocation.redacted(text))' has no host; write postgres://user:password@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.invalidConfiguration, "PostgreSQL URL '\(DatabaseLocation.redacted(text))' has no user name; write postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw StoreError(.invalidConfiguration, "PostgreSQL URL '\(DatabaseLocation.redacted(text))' names no database; add /database after the host")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StoreError(.invalidConfiguration, "PostgreSQL URL port \(port) is out of range 1-65535")
        }
        self.init(
            host: host, port: port, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database
        )
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = PostgresSSLMode(rawValue: value) else {
                    throw StoreError(
                        .invalidConfiguration,
                        "PostgreSQL URL sslmode '\(value)' is not supported; use one of \(PostgresSSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                sslMode = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw StoreError(.invalidConfiguration, "PostgreSQL URL sslrootcert is empty; name a PEM CA file") }
                sslRootCertificateFile = value
            case "pool_size":
                guard let size = Int(value), (1...1000).contains(size) else {
                    throw StoreError(.invalidConfiguration, "PostgreSQL URL pool_size '\(value)' must be a whole number from 1 to 1000")
                }
                poolSize = size
            default:
                throw StoreError(
                    .invalidConfiguration,
                    "PostgreSQL URL parameter '\(item.name)' is not supported; known: \(Self.parameters.joined(separator: ", "))"
                )
            }
        }
        if sslRootCertificateFile != nil, sslMode != .verifyFull {
            throw StoreError(.invalidConfiguration, "PostgreSQL URL sslrootcert only applies with sslmode=verify-full; add it or drop sslrootcert")
        }
    }

    public var description: String {
        var options: [String] = []
        if sslMode != .prefer { options.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificateFile { options.append("sslrootcert=\(sslRootCertificateFile)") }
        if poolSize != 20 { options.append("pool_size=\(poolSize)") }
        let query = options.isEmpty ? "" : "?" + options.joined(separator: "&")
        return "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(query)"
    }
}
