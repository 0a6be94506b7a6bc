import ArborCore
import ArborServer
import ArborStore
import ArgumentParser
import Foundation

/// `arbor self-check`: exercises the built binary on the embedded example schema and opens the
/// databases, so an operator can tell a working installation from a broken one.
struct SelfCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-check",
        abstract: "Check this installation: the core rules on the embedded example schema, and the databases."
    )

    /// The site's database to check (with --db or --config; its --prefix, --schema); the
    /// embedded example schema when --schema is not given.
    @OptionGroup var store: StoreOptions

    func run() async throws {
        var failures = 0
        func check(_ name: String, _ body: () async throws -> String) async {
            do {
                print("ok    \(name): \(try await body())")
            } catch {
                failures += 1
                print("FAIL  \(name): \(error)")
            }
        }
        let loadedSchema: DistributionSchema
        if let schema = store.schema {
            guard let data = FileManager.default.contents(atPath: schema) else {
                throw ValidationError("cannot read schema file '\(schema)': check the path")
            }
            loadedSchema = try DistributionSchema.decodeJSON(data)
        } else {
            loadedSchema = .exampleRetail
        }
        let scenario = SelfCheckScenario(schema: loadedSchema, now: Int64(Date().timeIntervalSince1970 * 1_000_000))
        await check("schema") { try scenario.checkSchema() }
        await check("topics slices") { try scenario.checkSlices() }
        await check("delta-buffer codec") { try scenario.checkCodec() }
        await check("merge and routing") { try scenario.checkMergeAndRouting() }

        let sqlitePath = FileManager.default.temporaryDirectory
            .appendingPathComponent("arbor-self-check-\(ProcessInfo.processInfo.processIdentifier).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: sqlitePath) }
        await check("sqlite") { try await StoreProbe.probe(.sqlite(path: sqlitePath)).serverVersion }
        if store.db != nil || store.config != nil {
            await check("database") {
                let (configuration, settings) = try store.configuration()
                // A mistyped path must fail the check, not become an empty database.
                try SiteDatabaseCheck.requireExistingFile(configuration.location, source: settings.databaseSource)
                return try await StoreProbe.probe(configuration.location).description
            }
            await check("arbor tables") {
                let resolved = try store.configuration()
                // Refuses a database without the prefix's Arbor tables (nothing to serve there).
                let (site, _) = try await store.open(resolved)
                let stored = try? await site.storedSchema()
                await site.close()
                guard let stored else { throw CommandFailure("cannot read the stored schema") }
                if resolved.settings.schemaFile != nil, stored.name != resolved.store.schema.name {
                    throw CommandFailure(
                        "the database stores schema '\(stored.name)' but the schema file names '\(resolved.store.schema.name)': run `arbor schema apply` to upgrade, or check the schema file"
                    )
                }
                return "prefix '\(site.prefix)', stored schema '\(stored.name)'"
            }
        }
        if let config = store.config {
            var linked: ServeConfiguration?
            await check("father") {
                linked = try Self.fatherSettings(configFile: config)
                return linked.map { "fatherServers \($0.fatherServers.joined(separator: ", "))" } ?? "none configured (the center, or a site without fatherServers)"
            }
            for father in linked?.fatherServers ?? [] {
                await check("father status") { try await Self.fatherStatus(father, settings: linked!) }
            }
        }
        guard failures == 0 else {
            print("self-check FAILED: \(failures) check(s)")
            throw ExitCode.failure
        }
        print("self-check passed")
    }
}
