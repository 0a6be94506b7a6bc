import ArborStore
import ArborTesting
import Foundation
import Testing

/// Admin commands refuse a missing or contradictory database or password source before
/// connecting, so these run on any test PostgreSQL (also one that lets every password in).
@Suite(.enabled(if: TestDatabases.postgresURL != nil, "needs ARBOR_TEST_POSTGRES_URL"))
struct AdminSourcesRefusalTests {
    @Test func missingAndContradictorySourcesAreRefusedBeforeConnecting() async throws {
        try await PostgresPasswordTarget.with { target in
            let none = try await target.clients(["list"], target.environment)
            #expect(none.status == 64 && none.errors.contains("no database: give --db, set ARBOR_DATABASE_URL, or --config"), "\(none)")

            var environment = target.environment
            environment["ARBOR_DATABASE_URL"] = "sqlite:/tmp/another-site.sqlite"
            let twoDatabases = try await target.clients(["add", "never", "--db", target.bareURL], environment)
            #expect(twoDatabases.status == 64 && twoDatabases.errors.contains("the database is given twice, differently"), "\(twoDatabases)")

            environment = target.environment
            environment["PGPASSWORD"] = "not-the-url-one"
            let twoPasswords = try await target.clients(["add", "never", "--db", target.fullURL], environment)
            #expect(twoPasswords.status == 64 && twoPasswords.errors.contains("the PostgreSQL password is given twice, differently"), "\(twoPasswords)")

            environment = target.environment
            environment["PGPASSFILE"] = target.home.appendingPathComponent("absent").path
            let missingFile = try await target.clients(["add", "never", "--db", target.bareURL], environment)
            #expect(missingFile.status == 64 && missingFile.errors.contains("(PGPASSFILE) does not exist"), "\(missingFile)")
            #expect(try await target.store.clients().isEmpty)
        }
    }
}
