import ArborCore
import ArborStore
import ArgumentParser
import Foundation
import Logging

/// The options every command that opens a site's database takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The site's database: postgres://user:pass@host:port/db or sqlite:PATH.")
    var db: String

    @Option(name: .long, help: "The distribution schema file (JSON). Default: the embedded example schema 'retail-v1'.")
    var schema: String?

    @Option(name: .long, help: "Prefix of every Arbor table, so several instances can share one database.")
    var prefix: String = TablePrefix.standard.value

    @Option(name: .long, help: "This site's name ('center' at head office).")
    var site: String = "center"

    /// The validated configuration; errors name the option that is wrong.
    func configuration() throws -> StoreConfiguration {
        let location: DatabaseLocation
        do { location = try DatabaseLocation(parsing: db) } catch { throw ValidationError("--db: \(error.message)") }
        let tablePrefix: TablePrefix
        do { tablePrefix = try TablePrefix(prefix) } catch { throw ValidationError("--prefix: \(error.message)") }
        guard !site.isEmpty, site.count <= 64 else { throw ValidationError("--site: a site name has 1 to 64 characters") }
        return StoreConfiguration(location: location, schema: try loadSchema(), prefix: tablePrefix, siteName: site)
    }

    func loadSchema() throws -> DistributionSchema {
        guard let schema else { return .exampleRetail }
        guard let data = FileManager.default.contents(atPath: schema) else {
            throw ValidationError("--schema: cannot read '\(schema)': check the path")
        }
        do { return try DistributionSchema.decodeJSON(data) } catch { throw ValidationError("--schema '\(schema)': \(error)") }
    }

    /// Opens the store, turning store errors into messages for the operator.
    func open() async throws -> any SiteStore {
        let configuration = try configuration()
        do {
            return try await SiteStores.open(configuration, logger: Logger(label: "arbor"))
        } catch {
            throw CommandFailure("cannot open \(configuration.location): \(error.message)")
        }
    }
}

/// A command failure with a message for the operator (printed without usage help).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
