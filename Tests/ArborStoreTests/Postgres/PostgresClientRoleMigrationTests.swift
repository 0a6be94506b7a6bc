import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 11 item 3: migration `0003-clients-role` gives a clients table made before roles a
/// `role` column; rows holding a son's upload position become sons, the others applications.
@Suite("PostgreSQL client role migration", .enabled(if: PostgresTesting.isConfigured))
struct PostgresClientRoleMigrationTests {
    @Test func installGivesExistingSonsTheSonRoleAndOthersTheApplicationRole() async throws {
        try await PostgresTesting.withStore { store in
            for id in ["east", "west", "shop", "a", "a.b"] { _ = try await store.addClient(id: id, bit: nil) }
            let incarnation = UUID().uuidString.lowercased()
            try await store.setSiteCounter("link.son.east.applied", 5)
            try await store.setSiteCounter("link.son.west.\(incarnation).applied", 3)
            try await store.setSiteCounter("link.son.a.b.applied", 2)
            // The database as the previous version left it: no role column, 0003 not recorded.
            _ = try await PostgresTesting.execute("ALTER TABLE \(store.table("clients")) DROP COLUMN role", on: store)
            _ = try await PostgresTesting.execute("DELETE FROM \(store.table("migrations")) WHERE name = '0003-clients-role'", on: store)
            try await store.install(upgradingSchema: false)
            let roles = Dictionary(uniqueKeysWithValues: try await store.clients().map { ($0.clientId, $0.role) })
            #expect(roles == ["east": .son, "west": .son, "shop": .application, "a": .application, "a.b": .son])
            #expect(try await store.addClient(id: "north", bit: nil).role == .application)
            try await store.install(upgradingSchema: false)
            #expect(try await store.clients().first { $0.clientId == "east" }?.role == .son, "a second install keeps the roles")
            let recorded = try await PostgresTesting.execute("SELECT count(*) FROM \(store.table("migrations")) WHERE name = '0003-clients-role'", on: store)
            #expect(try recorded.first?.decode(Int.self) == 1)
        }
    }
}
