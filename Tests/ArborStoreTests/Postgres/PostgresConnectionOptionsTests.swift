import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

/// `sslmode` and `pool_size` in the database URL against the real test server.
@Suite(.enabled(if: PostgresTesting.isConfigured)) struct PostgresConnectionOptionsTests {
    func open(_ options: String) async throws -> PostgresSiteStore {
        let url = try #require(TestDatabases.postgresURL) + (try #require(TestDatabases.postgresURL).contains("?") ? "&" : "?") + options
        let configuration = StoreConfiguration(
            location: try DatabaseLocation(parsing: url), schema: Fixtures.retailSchema, prefix: try PostgresTesting.randomPrefix(), siteName: "center"
        )
        return try await PostgresSiteStore.open(configuration, logger: PostgresTesting.logger)
    }

    /// Whether the test server offers TLS (a throwaway CI cluster does not).
    func serverOffersTLS() async throws -> Bool {
        let store = try await open("sslmode=disable")
        let rows = try await store.withConnection("reading ssl") { connection in try await connection.run("SHOW ssl", logger: PostgresTesting.logger) }
        await store.close()
        return try rows.first?.decode(String.self) == "on"
    }

    @Test func disableAndPreferConnectWhateverTheServerOffers() async throws {
        for mode in ["disable", "prefer"] {
            let store = try await open("sslmode=\(mode)")
            let rows = try await store.withConnection("asking") { connection in try await connection.run("SELECT 1", logger: PostgresTesting.logger) }
            #expect(try rows.first?.decode(Int.self) == 1)
            await store.close()
        }
    }

    @Test func requireRefusesAServerWithoutTLSWithAClearError() async throws {
        if try await serverOffersTLS() {
            let store = try await open("sslmode=require")
            await store.close()
            return
        }
        do {
            let store = try await open("sslmode=require")
            await store.close()
            Issue.record("sslmode=require connected to a server without TLS")
        } catch let error as StoreError {
            #expect(error.code == .unreachable)
            #expect(error.message.lowercased().contains("ssl") || error.message.lowercased().contains("tls"), "message: \(error.message)")
        }
    }

    @Test func aSmallPoolServesConcurrentWork() async throws {
        let store = try await open("pool_size=2")
        try await store.install(upgradingSchema: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 1...12 {
                group.addTask { _ = try await EntitiesSubsystem(store: store).write([Samples.customerCreate(id: Fixtures.id(n))]) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.lastSequence() == 12)
        try await store.uninstall()
        await store.close()
    }

    @Test func anUnreadableRootCertificateIsNamed() async throws {
        do {
            _ = try await open("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            Issue.record("an unreadable sslrootcert was accepted")
        } catch let error as StoreError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("/nonexistent/ca.pem"))
        }
    }
}
