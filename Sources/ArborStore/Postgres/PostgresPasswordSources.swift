import Foundation

/// Where a PostgreSQL password can come from besides the database URL, as libpq looks for it:
/// the `PGPASSWORD` variable, then the password file (`PGPASSFILE`, default `~/.pgpass`).
/// The executable builds this from its environment once (libraries never read it).
public struct PostgresPasswordSources: Sendable, Equatable {
    /// `PGPASSWORD`; nil when unset or empty (libpq treats an empty one as unset).
    public var environmentPassword: String?
    /// The password file to consult; nil when there is none to look at (no `HOME`).
    public var passwordFile: String?
    /// Whether `PGPASSFILE` named the file, so it must exist; `~/.pgpass` may be absent.
    public var passwordFileIsExplicit: Bool

    public init(environmentPassword: String? = nil, passwordFile: String? = nil, passwordFileIsExplicit: Bool = false) {
        self.environmentPassword = environmentPassword
        self.passwordFile = passwordFile
        self.passwordFileIsExplicit = passwordFileIsExplicit
    }

    /// The sources named by `environment` (`PGPASSWORD`, `PGPASSFILE`, `HOME`).
    public init(environment: [String: String]) {
        let password = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let file = environment["PGPASSFILE"], !file.isEmpty {
            self.init(environmentPassword: password, passwordFile: file, passwordFileIsExplicit: true)
        } else if let home = environment["HOME"], !home.isEmpty {
            self.init(environmentPassword: password, passwordFile: (home as NSString).appendingPathComponent(".pgpass"))
        } else {
            self.init(environmentPassword: password)
        }
    }
}

/// Which source gave a PostgreSQL connection its password, for messages (never the password).
public enum PostgresPasswordOrigin: Sendable, Equatable, CustomStringConvertible {
    case url
    case environment
    case passwordFile(path: String, line: Int)
    case notGiven

    public var description: String {
        switch self {
        case .url: "password from the database URL"
        case .environment: "password from PGPASSWORD"
        case .passwordFile(let path, let line): "password from \(path) line \(line)"
        case .notGiven: "no password: none in the URL, PGPASSWORD unset, no matching line in the password file"
        }
    }
}

extension PostgresLocation {
    /// This location with its password filled in from `sources` when the URL has none, by
    /// libpq's order: the URL, `PGPASSWORD`, the password file. A URL password and a
    /// different `PGPASSWORD` contradict each other and are refused, so an operator never
    /// connects with a password they did not mean. `urlSource` names where the URL came from.
    public func resolvingPassword(
        _ sources: PostgresPasswordSources, urlSource: String
    ) throws(StoreError) -> (location: PostgresLocation, origin: PostgresPasswordOrigin) {
        if let password, !password.isEmpty {
            if let other = sources.environmentPassword, other != password {
                throw StoreError(
                    .invalidConfiguration,
                    "the PostgreSQL password is given twice, differently: in the database URL (\(urlSource)) and in PGPASSWORD; remove it from one of them"
                )
            }
            return (self, .url)
        }
        var resolved = self
        if let environmentPassword = sources.environmentPassword {
            resolved.password = environmentPassword
            return (resolved, .environment)
        }
        guard let path = sources.passwordFile,
            let file = try PostgresPasswordFile.read(path: path, required: sources.passwordFileIsExplicit),
            let entry = file.entry(host: host, port: port, database: database, username: username), !entry.password.isEmpty
        else {
            resolved.password = nil
            return (resolved, .notGiven)
        }
        resolved.password = entry.password
        return (resolved, .passwordFile(path: path, line: entry.line))
    }
}

extension DatabaseLocation {
    /// The location with a PostgreSQL password resolved (see
    /// ``PostgresLocation/resolvingPassword(_:urlSource:)``); SQLite locations are unchanged.
    public func resolvingPassword(
        _ sources: PostgresPasswordSources, urlSource: String
    ) throws(StoreError) -> (location: DatabaseLocation, origin: PostgresPasswordOrigin?) {
        guard case .postgres(let location) = self else { return (self, nil) }
        let resolved = try location.resolvingPassword(sources, urlSource: urlSource)
        return (.postgres(resolved.location), resolved.origin)
    }
}

extension DatabaseLocation {
    /// The location with no PostgreSQL password, for comparing where two URLs point.
    public var withoutPassword: DatabaseLocation {
        guard case .postgres(var location) = self else { return self }
        location.password = nil
        return .postgres(location)
    }

    /// The PostgreSQL password in the URL, if any.
    public var password: String? {
        guard case .postgres(let location) = self else { return nil }
        return location.password
    }
}
