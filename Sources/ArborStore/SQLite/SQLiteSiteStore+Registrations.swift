import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var registrationsTable: String { prefix.table("registrations") }

    /// The stored masks of `techIds`; entities with no row have no registration.
    public func registrations(_ techIds: Set<UUID>) async throws(StoreError) -> [UUID: RegistrationMasks] {
        try await reading("reading registrations") { [registrationsTable] db in
            let statement = try db.cachedStatement(sql: "SELECT registered, synced FROM \(registrationsTable) WHERE tech_id = ?")
            var masks: [UUID: RegistrationMasks] = [:]
            for techId in techIds {
                guard let row = try Row.fetchOne(statement, arguments: [techId.uuidString]) else { continue }
                // The 64-bit masks are stored as signed integers with the same bit pattern.
                let registered: Int64 = row[0]
                let synced: Int64 = row[1]
                masks[techId] = RegistrationMasks(registered: UInt64(bitPattern: registered), synced: UInt64(bitPattern: synced))
            }
            return masks
        }
    }

    /// Upserts every non-empty mask and deletes the rows of empty ones, in one transaction.
    public func saveRegistrations(_ masks: [UUID: RegistrationMasks]) async throws(StoreError) {
        try await writing("saving registrations") { [registrationsTable] db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO \(registrationsTable) (tech_id, registered, synced) VALUES (?, ?, ?)
                ON CONFLICT (tech_id) DO UPDATE SET registered = excluded.registered, synced = excluded.synced
                """)
            let delete = try db.cachedStatement(sql: "DELETE FROM \(registrationsTable) WHERE tech_id = ?")
            for (techId, mask) in masks {
                if mask.isEmpty {
                    try delete.execute(arguments: [techId.uuidString])
                } else {
                    try upsert.execute(arguments: [
                        techId.uuidString, Int64(bitPattern: mask.registered), Int64(bitPattern: mask.synced),
                    ])
                }
            }
        }
    }

    /// Sets `bit` per entity with bit operations on the stored row, then deletes emptied rows.
    public func setRegistrations(_ states: [UUID: RegistrationState], for bit: ClientBit) async throws(StoreError) {
        guard !states.isEmpty else { return }
        let keep = Int64(bitPattern: ~bit.mask)
        try await writing("setting registrations of \(bit)") { [registrationsTable] db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO \(registrationsTable) (tech_id, registered, synced) VALUES (?1, ?2, ?3)
                ON CONFLICT (tech_id) DO UPDATE SET registered = (registered & ?4) | excluded.registered, synced = (synced & ?4) | excluded.synced
                """)
            let deleteEmpty = try db.cachedStatement(sql: "DELETE FROM \(registrationsTable) WHERE tech_id = ? AND registered = 0")
            for (techId, state) in states {
                var wanted = RegistrationMasks.none
                wanted.set(state, for: bit)
                try upsert.execute(arguments: [
                    techId.uuidString, Int64(bitPattern: wanted.registered), Int64(bitPattern: wanted.synced), keep,
                ])
                if state == .unregistered { try deleteEmpty.execute(arguments: [techId.uuidString]) }
            }
        }
    }

    /// Clears `bit` in every row and deletes the rows left with no registration.
    public func clearRegistrations(bit: ClientBit) async throws(StoreError) {
        let mask = Int64(bitPattern: bit.mask)
        try await writing("clearing registrations of \(bit)") { [registrationsTable] db in
            try db.execute(
                sql: "UPDATE \(registrationsTable) SET registered = registered & ~?1, synced = synced & ~?1 WHERE (registered | synced) & ?1 <> 0",
                arguments: [mask]
            )
            try db.execute(sql: "DELETE FROM \(registrationsTable) WHERE registered = 0")
        }
    }

    public func siteState(_ key: String) async throws(StoreError) -> String? {
        try await reading("reading site state") { [siteStateTable] db in
            try String.fetchOne(db, sql: "SELECT value FROM \(siteStateTable) WHERE key = ?", arguments: [key])
        }
    }

    public func setSiteState(_ key: String, _ value: String) async throws(StoreError) {
        try await writing("writing site state") { [siteStateTable] db in
            try db.execute(
                sql: "INSERT INTO \(siteStateTable) (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [key, value]
            )
        }
    }
}
