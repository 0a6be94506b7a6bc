import ArborTesting
import Testing

/// The storage conformance suite (ArborTesting) on every backend: SQLite always, PostgreSQL
/// when `ARBOR_TEST_POSTGRES_URL` is set (always in CI).
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ testCase: StoreConformance.Case) async throws {
        try await testCase.check.run(testCase.backend)
    }

    @Test(.enabled(if: TestDatabases.postgresURL != nil))
    func postgresIsCoveredWhenConfigured() {
        #expect(TestStores.available.contains(.postgres))
    }
}
