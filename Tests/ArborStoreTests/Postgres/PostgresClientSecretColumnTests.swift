import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 6: `install` adds `secret_hash` to a clients table created before it existed.
@Suite("PostgreSQL client secret column", .enabled(if: PostgresTesting.isConfigured))
struct PostgresClientSecretColumnTests {
    @Test func installAddsTheSecretColumnToAnOldClientsTable() async throws {
        try await PostgresTesting.withStore { store in
            _ = try await store.addClient(id: "old", bit: ClientBit(3))
            try await PostgresTesting.execute("ALTER TABLE \(store.table("clients")) DROP COLUMN secret_hash", on: store)
            try await store.install(upgradingSchema: false)
            #expect(try await store.clients() == [ClientRecord(clientId: "old", bit: ClientBit(3)!, isDisabled: false, secretHash: nil)])
            try await store.setClientSecretHash(id: "old", hash: "h")
            #expect(try await store.clients().first?.secretHash == "h")
            try await store.install(upgradingSchema: false)
            #expect(try await store.clients().first?.secretHash == "h", "a second install keeps the column and its values")
        }
    }
}
