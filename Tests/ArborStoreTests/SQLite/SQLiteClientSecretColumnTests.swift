import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

/// Issue 6: `install` adds `secret_hash` to a clients table created before it existed.
@Suite struct SQLiteClientSecretColumnTests {
    @Test func installAddsTheSecretColumnToAnOldClientsTable() async throws {
        try await withSQLiteStore { store, file async throws in
            let table = store.prefix.table("clients")
            try await file.rawQueue().write { db in
                // The clients table as it was before issue 6, with one row, in a database made
                // before named migrations (no migration recorded for the prefix).
                try db.execute(sql: "DELETE FROM grdb_migrations")
                try db.execute(sql: "DROP TABLE \(table)")
                try db.execute(sql: """
                    CREATE TABLE \(table) (
                        client_id TEXT NOT NULL UNIQUE CHECK (length(client_id) BETWEEN 1 AND 64),
                        bit_number INTEGER NOT NULL UNIQUE CHECK (bit_number BETWEEN 0 AND 63),
                        is_disabled INTEGER NOT NULL CHECK (is_disabled IN (0, 1))
                    )
                    """)
                try db.execute(sql: "INSERT INTO \(table) (client_id, bit_number, is_disabled) VALUES ('old', 3, 0)")
            }
            try await store.install(upgradingSchema: false)
            let columns = try await file.rawQueue().read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String } }
            #expect(columns.contains("secret_hash"))
            #expect(try await store.clients() == [ClientRecord(clientId: "old", bit: ClientBit(3)!, isDisabled: false, secretHash: nil)])
            try await store.setClientSecretHash(id: "old", hash: "h")
            #expect(try await store.clients().first?.secretHash == "h")
            try await store.install(upgradingSchema: false)
            #expect(try await store.clients().first?.secretHash == "h", "a second install keeps the column and its values")
            let applied = try await file.rawQueue().read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
            #expect(applied == ArborMigrationNames.all.map { "\(store.prefix.value)/\($0)" }, "each named migration is recorded once")
        }
    }
}
