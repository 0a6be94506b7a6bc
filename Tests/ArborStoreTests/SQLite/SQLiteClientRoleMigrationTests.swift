import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

/// Issue 11 item 3: migration `0003-clients-role` gives a clients table made before roles a
/// `role` column; rows holding a son's upload position become sons, the others applications.
@Suite struct SQLiteClientRoleMigrationTests {
    @Test func installGivesExistingSonsTheSonRoleAndOthersTheApplicationRole() async throws {
        try await withSQLiteStore { store, file async throws in
            let table = store.prefix.table("clients")
            let incarnation = UUID().uuidString.lowercased()
            // Upload positions as a father of the previous version records them: per client
            // id, with or without the son database's incarnation. `a` holds none ("a.b" does).
            try await store.setSiteCounter("link.son.east.applied", 5)
            try await store.setSiteCounter("link.son.west.\(incarnation).applied", 3)
            try await store.setSiteCounter("link.son.a.b.applied", 2)
            try await file.rawQueue().write { db in
                // The clients table as it was before roles, with rows, and 0003 not yet run.
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: ["\(store.prefix.value)/0003-clients-role"])
                try db.execute(sql: "DROP TABLE \(table)")
                try db.execute(sql: """
                    CREATE TABLE \(table) (
                        client_id TEXT NOT NULL UNIQUE CHECK (length(client_id) BETWEEN 1 AND 64),
                        bit_number INTEGER NOT NULL UNIQUE CHECK (bit_number BETWEEN 0 AND 63),
                        is_disabled INTEGER NOT NULL CHECK (is_disabled IN (0, 1)),
                        secret_hash TEXT
                    )
                    """)
                for (bit, id) in ["east", "west", "shop", "a", "a.b"].enumerated() {
                    try db.execute(sql: "INSERT INTO \(table) (client_id, bit_number, is_disabled) VALUES (?, ?, 0)", arguments: [id, bit])
                }
            }
            try await store.install(upgradingSchema: false)
            let roles = Dictionary(uniqueKeysWithValues: try await store.clients().map { ($0.clientId, $0.role) })
            #expect(roles == ["east": .son, "west": .son, "shop": .application, "a": .application, "a.b": .son])
            let added = try await store.addClient(id: "north", bit: nil)
            #expect(added.role == .application, "a new row is an application unless added as a son")
            try await store.install(upgradingSchema: false)
            #expect(try await store.clients().first { $0.clientId == "east" }?.role == .son, "a second install keeps the roles")
            let applied = try await file.rawQueue().read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
            #expect(applied == ArborMigrationNames.all.map { "\(store.prefix.value)/\($0)" }, "each named migration is recorded once")
        }
    }
}
