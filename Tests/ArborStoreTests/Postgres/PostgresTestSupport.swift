import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// Opens PostgreSQL stores for tests, each under its own random table prefix.
enum PostgresTesting {
    static let logger = Logger(label: "arbor.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Whether `ARBOR_TEST_POSTGRES_URL` is set (tests are enabled by it, and fail if it is
    /// set but the server does not answer).
    static var isConfigured: Bool { TestDatabases.postgresURL != nil }

    /// A fresh prefix such as `t1a2b3c4d_`.
    static func randomPrefix() throws -> TablePrefix {
        try TablePrefix("t" + String(format: "%08x", UInt32.random(in: 0...UInt32.max)) + "_")
    }

    /// Opens a store (not installed) on the test database.
    static func open(
        schema: DistributionSchema = PostgresSamples.schema, prefix: TablePrefix, siteName: String = "center"
    ) async throws -> PostgresSiteStore {
        let url = try #require(TestDatabases.postgresURL)
        let configuration = StoreConfiguration(location: try DatabaseLocation(parsing: url), schema: schema, prefix: prefix, siteName: siteName)
        return try await PostgresSiteStore.open(configuration, logger: logger)
    }

    /// Opens and installs a store under a new prefix, runs `body`, then uninstalls and closes
    /// it whether or not `body` threw.
    static func withStore<T>(
        schema: DistributionSchema = PostgresSamples.schema, _ body: (PostgresSiteStore) async throws -> T
    ) async throws -> T {
        let store = try await open(schema: schema, prefix: try randomPrefix())
        do {
            try await store.install(upgradingSchema: false)
            let value = try await body(store)
            try await store.uninstall()
            await store.close()
            return value
        } catch {
            try? await store.uninstall()
            await store.close()
            throw error
        }
    }

    /// Runs raw SQL (no bind parameters) through the store's pool.
    @discardableResult
    static func execute(_ sql: String, on store: PostgresSiteStore) async throws -> [PostgresRow] {
        try await store.client.query(PostgresQuery(unsafeSQL: sql)).collect()
    }

    /// The error `body` throws, as a StoreError (nil when it does not throw).
    static func storeError(_ body: () async throws -> Void) async -> StoreError? {
        do {
            try await body()
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("expected a StoreError, got \(error)")
            return nil
        }
    }

    /// `body`'s value, or a failure when it takes longer than `seconds`.
    static func within<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreError(.queryFailed, "timed out after \(seconds) s")
            }
            return value
        }
    }

    /// Whether `stream` yields within `seconds` (false when it ends first).
    static func nextSignal(_ stream: AsyncStream<Void>, within seconds: Double) async throws -> Bool {
        try await within(seconds: seconds) {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() != nil
        }
    }
}
