import ArborCore
import ArborServer
import ArborStore
import Foundation

/// Where an admin command (`arbor clients`, `init`, `schema`, `backup`, `servers`) finds the
/// site's database, table prefix, site name and schema file: its flags, the `ARBOR_*`
/// variables `arbor serve` reads, and the site configuration file `arbor serve --config` reads.
/// Unlike `serve`, which layers them (file, environment, flags), an admin command refuses two
/// sources that name a setting differently: acting on the wrong site's clients table is worse
/// than a message. The PostgreSQL password then comes from the URL, `PGPASSWORD` or the
/// password file (``PostgresPasswordSources``).
///
/// The executable reads the environment and the file once and passes them in; the file is read
/// by ``ServeConfigurationFile`` as for `arbor serve`. This type does no I/O but reading the
/// password file the environment names.
struct SiteDatabaseSources: Sendable {
    /// The command's own flags; nil when not given.
    struct Flags: Sendable, Equatable {
        var database: String?
        var tablePrefix: String?
        var site: String?
        var schemaFile: String?

        init(database: String? = nil, tablePrefix: String? = nil, site: String? = nil, schemaFile: String? = nil) {
            self.database = database
            self.tablePrefix = tablePrefix
            self.site = site
            self.schemaFile = schemaFile
        }
    }

    /// The settings an admin command reads, with the flag and variable naming each.
    static let settings: [(key: String, flag: String, variable: String)] = [
        ("database", "--db", "ARBOR_DATABASE_URL"), ("tablePrefix", "--prefix", "ARBOR_TABLE_PREFIX"),
        ("site", "--site", "ARBOR_SITE"), ("schemaFile", "--schema", "ARBOR_SCHEMA"),
    ]

    var flags: Flags
    /// The process environment (only the variables above and the PostgreSQL ones are read).
    var environment: [String: String]
    /// The `--config` file's path and content, when given.
    var configFile: (path: String, data: Data)?

    init(flags: Flags, environment: [String: String], configFile: (path: String, data: Data)? = nil) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    /// The validated settings, or an error naming the sources that are missing or disagree.
    func resolved() throws(ServeConfigurationError) -> SiteDatabaseSettings {
        var given: [String: [(source: String, value: String)]] = [:]
        if let configFile {
            let file = try ServeConfigurationFile(configFile.data, named: configFile.path)
            let values = [
                "database": file.configuration.database, "tablePrefix": file.configuration.tablePrefix, "site": file.configuration.site,
                "schemaFile": file.configuration.schemaFile,
            ]
            for setting in Self.settings where file.keys.contains(setting.key) {
                if let value = values[setting.key] ?? nil, !value.isEmpty { given[setting.key, default: []].append(("\(configFile.path): '\(setting.key)'", value)) }
            }
        }
        let flagValues = ["database": flags.database, "tablePrefix": flags.tablePrefix, "site": flags.site, "schemaFile": flags.schemaFile]
        for setting in Self.settings {
            if let value = environment[setting.variable], !value.isEmpty { given[setting.key, default: []].append((setting.variable, value)) }
            if let value = flagValues[setting.key] ?? nil { given[setting.key, default: []].append((setting.flag, value)) }
        }
        let database = try Self.database(given["database"] ?? [])
        func single(_ key: String) throws(ServeConfigurationError) -> (source: String, value: String)? {
            let sources = given[key] ?? []
            if let first = sources.first, let other = sources.dropFirst().first(where: { $0.value != first.value }) {
                throw ServeConfigurationError(
                    "\(key) is given twice, differently: \(first.source) says '\(first.value)', \(other.source) says '\(other.value)'; give it once"
                )
            }
            return sources.first
        }
        let prefix: TablePrefix
        let prefixSource = try single("tablePrefix")
        do { prefix = try TablePrefix(prefixSource?.value ?? TablePrefix.standard.value) } catch {
            throw ServeConfigurationError("\(prefixSource?.source ?? "--prefix"): \(error.message)")
        }
        let site = try single("site")
        let siteName = site?.value ?? "center"
        guard !siteName.isEmpty, siteName.count <= 64, siteName.allSatisfy({ Topic.isAllowed($0) }) else {
            throw ServeConfigurationError("\(site?.source ?? "--site"): a site name has 1 to 64 characters without * + ! ( ) , # or blanks")
        }
        let passwords = PostgresPasswordSources(environment: environment)
        let resolved: (location: DatabaseLocation, origin: PostgresPasswordOrigin?)
        do { resolved = try database.location.resolvingPassword(passwords, urlSource: database.source) } catch {
            throw ServeConfigurationError(error.message)
        }
        var warnings: [String] = []
        if database.passwordOnCommandLine {
            warnings.append(
                "the password in --db can be read by other users of this machine (ps); put it in PGPASSWORD or ~/.pgpass, or the URL in ARBOR_DATABASE_URL or --config"
            )
        }
        return SiteDatabaseSettings(
            location: resolved.location, databaseSource: database.source, passwordOrigin: resolved.origin, prefix: prefix,
            siteName: siteName, schemaFile: try single("schemaFile")?.value, warnings: warnings
        )
    }

    /// The one database the sources name: they may repeat it (with or without the password)
    /// but not name two, nor two passwords.
    private static func database(
        _ sources: [(source: String, value: String)]
    ) throws(ServeConfigurationError) -> (location: DatabaseLocation, source: String, passwordOnCommandLine: Bool) {
        guard !sources.isEmpty else {
            throw ServeConfigurationError(
                "no database: give --db, set ARBOR_DATABASE_URL, or --config with the site's configuration file (its \"database\" key)"
            )
        }
        var parsed: [(source: String, location: DatabaseLocation)] = []
        for source in sources {
            do { parsed.append((source.source, try DatabaseLocation(parsing: source.value))) } catch {
                throw ServeConfigurationError("\(source.source): \(error.message)")
            }
        }
        var chosen = parsed[0]
        for other in parsed.dropFirst() {
            guard other.location.withoutPassword == chosen.location.withoutPassword else {
                throw ServeConfigurationError(
                    "the database is given twice, differently: \(chosen.source) names \(chosen.location), \(other.source) names \(other.location); give it once"
                )
            }
            switch (chosen.location.password, other.location.password) {
            case (let a?, let b?) where a != b:
                throw ServeConfigurationError("\(chosen.source) and \(other.source) give the database different passwords; give it once")
            case (nil, .some): chosen = other
            default: break
            }
        }
        let onCommandLine = parsed.contains { $0.source == "--db" && $0.location.password?.isEmpty == false }
        return (chosen.location, chosen.source, onCommandLine)
    }
}

/// What an admin command opens, resolved from ``SiteDatabaseSources``.
struct SiteDatabaseSettings: Sendable {
    /// The database, its PostgreSQL password filled in.
    var location: DatabaseLocation
    /// The flag, variable or file key that named the database.
    var databaseSource: String
    /// Where the PostgreSQL password came from; nil for SQLite.
    var passwordOrigin: PostgresPasswordOrigin?
    var prefix: TablePrefix
    var siteName: String
    /// The distribution schema file; nil for the embedded example schema.
    var schemaFile: String?
    /// Advice to print on standard error (a password on the command line).
    var warnings: [String]
}
