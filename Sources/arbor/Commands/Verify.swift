import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging

/// `arbor verify`: compares two sites on a slice by per-entity digests; exits 0 when they hold
/// the same entities, 1 when they differ, 2 when the comparison could not be made.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two sites (or a son with its father) on a slice by per-entity digests.",
        discussion: """
            Both sites compute a digest of every live entity the slice selects (steady-state: time windows \
            are ignored; logically deleted entities are left out at both sites, since a reloaded site never \
            receives them) over its class, topics, fields, \
            sub-entities and every write time, and verify prints each entity that is only at A, only at B, \
            or differs, then a summary line. Exit status: 0 equal, 1 different, 2 error (64 for missing or malformed options).

            Son against father: pass the son's own slice. The same slice is evaluated at both sites, so \
            what the father holds outside it is not compared; entities the son holds outside its slice \
            because it is registered on them are not compared either.

            With --repair, site A must be a son of site B: the entities that differ are loaded from B \
            (a targeted load of exactly those ids) and replace A's copies in A's database (--son-db, \
            --son-prefix, --son-name); entities B does not send are removed at A. Then both sites are \
            compared again, and the exit status is that of the second comparison. Repair when A's uploads \
            have caught up: A's writes to those entities not yet at B are lost.

            The client id must be in the clients table of both sites (and enabled); when it has a secret \
            there, give it with --secret-file (the same secret at both sites). Writes in flight can \
            make the sites differ for a moment: compare when quiet, or re-run and look at what persists.
            """
    )

    @Option(name: .long, help: "Base URL of site A, e.g. http://127.0.0.1:8080.") var site: String
    @Option(name: .long, help: "Base URL of site B, the site A is compared against.") var against: String
    @Option(name: .long, help: "The slice to compare, evaluated the same way at both sites.") var slice: String
    @Option(name: .long, help: "The client id to ask as; it must exist, enabled, at both sites.") var clientId: String
    @Option(name: .long, help: "A file holding the client's secret (sent in X-Arbor-Client-Secret to both sites).") var secretFile: String?
    @Option(name: .long, help: "Instance suffix in the URLs of both sites.") var instance: String = "1"
    @Option(name: .long, help: "The distribution schema file (JSON) of both sites. Default: the embedded example schema 'retail-v1'.")
    var schema: String?
    @Option(name: .long, help: "Seconds one site may take to answer.") var timeout: Int = 120
    @Option(name: .long, help: "A PEM file of the CAs trusted for https:// sites (default: the system's roots).") var caFile: String?
    @Flag(name: .long, help: "Replace A's copies of the entities that differ with B's (A must be a son of B); needs --son-db.")
    var repair = false
    @Option(name: .long, help: "With --repair: site A's database (postgres://… or sqlite:PATH; the password from PGPASSWORD or ~/.pgpass).") var sonDb: String?
    @Option(name: .long, help: "With --repair: the table prefix of site A's database.") var sonPrefix: String = TablePrefix.standard.value
    @Option(name: .long, help: "With --repair: site A's name (stamped on the log records the repair writes).") var sonName: String?

    func validate() throws {
        guard repair else { return }
        guard sonDb != nil else { throw ValidationError("--repair needs --son-db: the database of site A (the son) to repair") }
        guard let sonName, !sonName.isEmpty else { throw ValidationError("--repair needs --son-name: site A's name") }
    }

    func run() async throws {
        var trustRoots: EdgeTrustRoots?
        var secret: String?
        if let secretFile {
            do { secret = try ClientSecretFile.read(secretFile) } catch {
                FileHandle.standardError.write(Data("arbor verify: --secret-file: \(error.description)\n".utf8))
                throw ExitCode(64)
            }
        }
        if let caFile {
            do { trustRoots = try EdgeTrustRoots.load(file: caFile) } catch {
                FileHandle.standardError.write(Data("arbor verify: --ca-file: \(error.message)\n".utf8))
                throw ExitCode(64)
            }
        }
        // Fail fast on a refused connection instead of retrying until the timeout.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: trustRoots))
        let outcome: Result<(DigestResponse, DigestResponse), CommandFailure>
        do { outcome = .success(try await fetchBoth(client, secret: secret)) } catch { outcome = .failure(error) }
        try? await client.shutdown()
        switch outcome {
        case .failure(let failure):
            FileHandle.standardError.write(Data("arbor verify: \(failure.description)\n".utf8))
            throw ExitCode(2)
        case .success(let (a, b)):
            print("A: \(site) at sequence \(a.sequence), \(a.entities.count) entities selected")
            print("B: \(against) at sequence \(b.sequence), \(b.entities.count) entities selected")
            let report = VerifyReport(a: a, b: b)
            print(report.description)
            guard !report.isEqual else { return }
            guard repair else { throw ExitCode(1) }
            let repaired: Bool
            do { repaired = try await repairAndCompare(report, trustRoots: trustRoots, secret: secret) } catch {
                FileHandle.standardError.write(Data("arbor verify: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if !repaired { throw ExitCode(1) }
        }
    }

    /// Asks both sites for their digests at once.
    func fetchBoth(_ client: HTTPClient, secret: String?) async throws(CommandFailure) -> (DigestResponse, DigestResponse) {
        let schema = try loadSchema()
        guard timeout > 0 else { throw CommandFailure("--timeout must be at least 1 second") }
        let edgeA = try edge(site, schema: schema, option: "--site", client: client, secret: secret)
        let edgeB = try edge(against, schema: schema, option: "--against", client: client, secret: secret)
        async let answerA = Self.digests(edgeA, slice: slice, label: "site A (\(site))")
        async let answerB = Self.digests(edgeB, slice: slice, label: "site B (\(against))")
        do {
            return try await (answerA, answerB)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    private static func digests(_ edge: Edge, slice: String, label: String) async throws -> DigestResponse {
        do {
            return try await edge.digests(slice: slice)
        } catch let error as EdgeError {
            throw CommandFailure("\(label): \(error.code): \(error.message)")
        } catch {
            throw CommandFailure("\(label): \(error)")
        }
    }

    func edge(_ url: String, schema: DistributionSchema, option: String, client: HTTPClient, secret: String?) throws(CommandFailure) -> Edge {
        do {
            let configuration = try EdgeConfiguration(
                servers: [url], instance: instance, clientId: clientId, clientSecret: secret, schema: schema, format: .json,
                requestTimeout: .seconds(timeout), retryBackoff: .zero
            )
            var logger = Logger(label: "arbor.verify")
            logger.logLevel = .warning
            return Edge(configuration: configuration, httpClient: client, logger: logger)
        } catch {
            throw CommandFailure("\(option): \(error.message)")
        }
    }

    func loadSchema() throws(CommandFailure) -> DistributionSchema {
        guard let schema else { return .exampleRetail }
        guard let data = FileManager.default.contents(atPath: schema) else {
            throw CommandFailure("--schema: cannot read '\(schema)': check the path")
        }
        do { return try DistributionSchema.decodeJSON(data) } catch { throw CommandFailure("--schema '\(schema)': \(error)") }
    }
}
