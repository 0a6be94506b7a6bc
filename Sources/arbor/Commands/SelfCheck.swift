import ArborCore
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

    @Option(name: .long, help: "Also probe this database (postgres://user@host:port/db, the password from PGPASSWORD or ~/.pgpass, or sqlite:PATH).")
    var db: String?

    @Option(name: .long, help: "Use this distribution schema file instead of the embedded example.")
    var schema: String?

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
        if let schema {
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
        if let db {
            await check("database") {
                let location = try DatabaseLocation(parsing: db)
                    .resolvingPassword(PostgresPasswordSources(environment: ProcessInfo.processInfo.environment), urlSource: "--db").location
                return try await StoreProbe.probe(location).description
            }
        }
        guard failures == 0 else {
            print("self-check FAILED: \(failures) check(s)")
            throw ExitCode.failure
        }
        print("self-check passed")
    }
}
