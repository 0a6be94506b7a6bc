import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite struct StoreProbeTests {
    @Test func opensATemporarySQLiteDatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-probe-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try await StoreProbe.probe(.sqlite(path: path))
        #expect(report.serverVersion.hasPrefix("SQLite 3."))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func unreachablePostgresIsAClearRetryableError() async {
        // Port 1 on loopback refuses connections at once.
        let location = DatabaseLocation.postgres(PostgresLocation(host: "127.0.0.1", port: 1, username: "nobody", database: "none"))
        do {
            _ = try await StoreProbe.probe(location, timeout: .seconds(5))
            Issue.record("probing a closed port should fail")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.isRetryable)
        }
    }

    /// CI always sets the URL; when it is set the server must answer, or this fails loudly.
    @Test(.enabled(if: TestDatabases.postgresURL != nil, "ARBOR_TEST_POSTGRES_URL is not set"))
    func configuredPostgresAnswers() async throws {
        let url = try #require(TestDatabases.postgresURL)
        let report = try await StoreProbe.probe(try DatabaseLocation(parsing: url))
        #expect(report.serverVersion.hasPrefix("PostgreSQL"))
    }
}
