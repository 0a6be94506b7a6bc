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

/// The parts of a PostgreSQL URL.
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user[:password]@host[:port]/database`.
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
    }

    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}
