import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var registrationsTable: String { prefix.table("registrations") }

    /// The stored masks of `techIds`; entities with no row have no registration.
    public func registrations(_ techIds: Set<UUID>) async throws(StoreError) -> [UUID: RegistrationMasks] {
        try await reading("reading registrations") { [registrationsTable] db in
            let size = SQLiteBatches.rowsPerStatement(columns: 1)
            var masks: [UUID: RegistrationMasks] = [:]
            masks.reserveCapacity(techIds.count)
            for slice in SQLiteBatches.slices(Array(techIds), size: size) {
                let statement = try SQLiteBatches.statement(db, count: slice.count, full: size) { count in
                    "SELECT tech_id, registered, synced FROM \(registrationsTable) WHERE tech_id IN (\(SQLiteBatches.repeated("?", count: count)))"
                }
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(slice.map(\.uuidString)))
                while let row = try rows.next() {
                    let techId = try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: registrationsTable)
                    // The 64-bit masks are stored as signed integers with the same bit pattern.
                    let registered: Int64 = row[1]
                    let synced: Int64 = row[2]
                    masks[techId] = RegistrationMasks(registered: UInt64(bitPattern: registered), synced: UInt64(bitPattern: synced))
                }
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
        try await writing("setting registrations of \(bit)") { db in try self.setRegistrations(states, for: bit, in: db) }
    }

    /// `setRegistrations` inside the current transaction, with multi-row upserts: each row's
    /// masks keep the other clients' bits (`?1` is the mask that keeps them).
    func setRegistrations(_ states: [UUID: RegistrationState], for bit: ClientBit, in db: Database) throws {
        let keep = Int64(bitPattern: ~bit.mask)
        let rowsPerStatement = SQLiteBatches.rowsPerStatement(columns: 3, fixed: 1)
        let entries = Array(states)
        for slice in SQLiteBatches.slices(entries, size: rowsPerStatement) {
            let upsert = try SQLiteBatches.statement(db, count: slice.count, full: rowsPerStatement) { count in
                let rows = (0..<count).map { "(?\(3 * $0 + 2), ?\(3 * $0 + 3), ?\(3 * $0 + 4))" }.joined(separator: ", ")
                return """
                    INSERT INTO \(registrationsTable) (tech_id, registered, synced) VALUES \(rows)
                    ON CONFLICT (tech_id) DO UPDATE SET registered = (registered & ?1) | excluded.registered, synced = (synced & ?1) | excluded.synced
                    """
            }
            var arguments: [DatabaseValue] = [keep.databaseValue]
            arguments.reserveCapacity(1 + 3 * slice.count)
            for (techId, state) in slice {
                var wanted = RegistrationMasks.none
                wanted.set(state, for: bit)
                arguments += [
                    techId.uuidString.databaseValue, Int64(bitPattern: wanted.registered).databaseValue,
                    Int64(bitPattern: wanted.synced).databaseValue,
                ]
            }
            try upsert.execute(arguments: StatementArguments(arguments))
        }
        let emptied = entries.filter { $0.value == .unregistered }.map(\.key.uuidString)
        let idsPerStatement = SQLiteBatches.rowsPerStatement(columns: 1)
        for slice in SQLiteBatches.slices(emptied, size: idsPerStatement) {
            let delete = try SQLiteBatches.statement(db, count: slice.count, full: idsPerStatement) { count in
                "DELETE FROM \(registrationsTable) WHERE registered = 0 AND tech_id IN (\(SQLiteBatches.repeated("?", count: count)))"
            }
            try delete.execute(arguments: StatementArguments(Array(slice)))
        }
    }

    /// The rows whose `registered` mask has `bit`, in one query.
    public func registeredTechIds(bit: ClientBit) async throws(StoreError) -> Set<UUID> {
        let mask = Int64(bitPattern: bit.mask)
        return try await reading("reading the registrations of \(bit)") { [registrationsTable] db in
            var ids = Set<UUID>()
            let rows = try Row.fetchCursor(db, sql: "SELECT tech_id FROM \(registrationsTable) WHERE registered & ? <> 0", arguments: [mask])
            while let row = try rows.next() { ids.insert(try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: registrationsTable)) }
            return ids
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
