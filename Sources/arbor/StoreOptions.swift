import ArborCore
import ArborServer
import ArborStore
import ArgumentParser
import Foundation
import Logging

/// The options every command that opens a site's database takes. The database may instead
/// come from `ARBOR_DATABASE_URL` or the site's configuration file (`--config`), and a
/// PostgreSQL password from `PGPASSWORD` or `~/.pgpass`, so it never has to be on the command
/// line (see ``SiteDatabaseSources``).
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The site's configuration file (JSON, as `arbor serve --config` reads): its database, tablePrefix, site and schemaFile.")
    var config: String?

    @Option(name: .long, help: "The site's database: postgres://user@host:port/db or sqlite:PATH (default: ARBOR_DATABASE_URL or --config). The password: PGPASSWORD or ~/.pgpass.")
    var db: String?

    @Option(name: .long, help: "The distribution schema file (JSON). Default: the embedded example schema 'retail-v1'.")
    var schema: String?

    @Option(name: .long, help: "Prefix of every Arbor table, so several instances can share one database (default arbor_).")
    var prefix: String?

    @Option(name: .long, help: "This site's name (default 'center', the head office).")
    var site: String?

    /// The settings from the flags, the environment and `--config`, read here once; errors
    /// name the source that is wrong. Warnings (a password on the command line) go to stderr.
    func settings() throws -> SiteDatabaseSettings {
        var file: (path: String, data: Data)?
        if let config {
            file = (config, try ConfigurationFile.read(config, option: "--config"))
        }
        let flags = SiteDatabaseSources.Flags(database: db, tablePrefix: prefix, site: site, schemaFile: schema)
        let sources = SiteDatabaseSources(flags: flags, environment: ProcessInfo.processInfo.environment, configFile: file)
        let settings: SiteDatabaseSettings
        do { settings = try sources.resolved() } catch { throw ValidationError(error.description) }
        for warning in settings.warnings { FileHandle.standardError.write(Data("arbor: warning: \(warning)\n".utf8)) }
        return settings
    }

    /// The validated store configuration and where its database and password came from.
    func configuration() throws -> (store: StoreConfiguration, settings: SiteDatabaseSettings) {
        let settings = try settings()
        let store = StoreConfiguration(location: settings.location, schema: try Self.loadSchema(settings.schemaFile), prefix: settings.prefix, siteName: settings.siteName)
        return (store, settings)
    }

    /// The schema in `file` (JSON), or the embedded example schema when nil.
    static func loadSchema(_ file: String?) throws -> DistributionSchema {
        guard let file else { return .exampleRetail }
        let data = try ConfigurationFile.read(file, option: "the schema file")
        do { return try DistributionSchema.decodeJSON(data) } catch { throw ValidationError("schema file '\(file)': \(error)") }
    }

    /// Opens the store of a site `arbor init` has installed, turning store errors into messages
    /// for the operator that say where the database and its password came from. A missing SQLite
    /// file is refused before it is opened (opening would create it) and a database without the
    /// Arbor tables of the prefix is refused too: only `arbor init` creates and installs.
    func open() async throws -> any SiteStore {
        try await openLocated().site
    }

    /// ``open()``, also returning the database's location (its password hidden when printed).
    func openLocated(creating: Bool = false) async throws -> (site: any SiteStore, location: DatabaseLocation) {
        try await open(try configuration(), creating: creating)
    }

    /// Opens the store of an already resolved ``configuration()``; with `creating` (`arbor
    /// init` only) a missing SQLite file is created and tables need not exist yet.
    func open(
        _ resolved: (store: StoreConfiguration, settings: SiteDatabaseSettings), creating: Bool = false
    ) async throws -> (site: any SiteStore, location: DatabaseLocation) {
        let (configuration, settings) = resolved
        if !creating { try SiteDatabaseCheck.requireExistingFile(configuration.location, source: settings.databaseSource) }
        let site: any SiteStore
        do {
            site = try await SiteStores.open(configuration, logger: Logger(label: "arbor"))
        } catch {
            let origin = settings.passwordOrigin.map { " (database from \(settings.databaseSource); \($0))" } ?? ""
            throw CommandFailure("cannot open \(configuration.location): \(error.message)\(origin)")
        }
        if !creating {
            do { _ = try await SiteDatabaseCheck.requireInstalled(site, at: configuration.location, source: settings.databaseSource) } catch {
                await site.close()
                throw error
            }
        }
        return (site, configuration.location)
    }
}

/// A command failure with a message for the operator (printed without usage help).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
