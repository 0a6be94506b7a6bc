import ArborCore
import Foundation
import PostgresNIO

extension PostgresSiteStore {
    /// The stored masks of the given entities (missing = none registered).
    public func registrations(_ techIds: Set<UUID>) async throws(StoreError) -> [UUID: RegistrationMasks] {
        guard !techIds.isEmpty else { return [:] }
        let rows = try await withConnection("reading registrations") { connection in
            try await connection.run(
                "SELECT tech_id, registered, synced FROM \(unescaped: table("registrations")) WHERE tech_id = ANY(\(Array(techIds)))",
                logger: logger
            )
        }
        do {
            var masks: [UUID: RegistrationMasks] = [:]
            for row in rows {
                let (techId, registered, synced) = try row.decode((UUID, Int64, Int64).self)
                masks[techId] = RegistrationMasks(registered: UInt64(bitPattern: registered), synced: UInt64(bitPattern: synced))
            }
            return masks
        } catch {
            throw PostgresStoreErrors.map(error, "reading registrations", prefix: prefix)
        }
    }

    /// Upserts masks in one transaction; an empty mask deletes the row.
    public func saveRegistrations(_ masks: [UUID: RegistrationMasks]) async throws(StoreError) {
        guard !masks.isEmpty else { return }
        // Sorted, so concurrent saves lock rows in the same order.
        let sorted = masks.sorted { $0.key.byteOrder < $1.key.byteOrder }
        let kept = sorted.filter { !$0.value.isEmpty }
        let emptied = sorted.filter { $0.value.isEmpty }.map(\.key)
        try await transaction("saving registrations") { connection in
            if !kept.isEmpty {
                try await connection.run(
                    """
                    INSERT INTO \(unescaped: table("registrations")) (tech_id, registered, synced)
                    SELECT * FROM unnest(\(kept.map(\.key))::uuid[], \(kept.map { Int64(bitPattern: $0.value.registered) })::bigint[],
                                         \(kept.map { Int64(bitPattern: $0.value.synced) })::bigint[])
                    ON CONFLICT (tech_id) DO UPDATE SET registered = EXCLUDED.registered, synced = EXCLUDED.synced
                    """,
                    logger: logger
                )
            }
            if !emptied.isEmpty {
                try await connection.run("DELETE FROM \(unescaped: table("registrations")) WHERE tech_id = ANY(\(emptied))", logger: logger)
            }
        }
    }

    /// Sets `bit` per entity with bit operations on the stored rows, then deletes emptied rows.
    public func setRegistrations(_ states: [UUID: RegistrationState], for bit: ClientBit) async throws(StoreError) {
        guard !states.isEmpty else { return }
        // Sorted, so concurrent changes lock rows in the same order.
        let sorted = states.sorted { $0.key.byteOrder < $1.key.byteOrder }
        let wanted = sorted.map { entry -> RegistrationMasks in
            var masks = RegistrationMasks.none
            masks.set(entry.value, for: bit)
            return masks
        }
        let keep = Int64(bitPattern: ~bit.mask)
        let ids = sorted.map(\.key)
        try await transaction("setting registrations of \(bit)") { connection in
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("registrations")) AS r (tech_id, registered, synced)
                SELECT * FROM unnest(\(ids)::uuid[], \(wanted.map { Int64(bitPattern: $0.registered) })::bigint[],
                                     \(wanted.map { Int64(bitPattern: $0.synced) })::bigint[])
                ON CONFLICT (tech_id) DO UPDATE SET registered = (r.registered & \(keep)) | EXCLUDED.registered,
                                                    synced = (r.synced & \(keep)) | EXCLUDED.synced
                """,
                logger: logger
            )
            try await connection.run(
                "DELETE FROM \(unescaped: table("registrations")) WHERE tech_id = ANY(\(ids)) AND registered = 0", logger: logger
            )
        }
    }

    /// The rows whose `registered` mask has `bit`, in one query.
    public func registeredTechIds(bit: ClientBit) async throws(StoreError) -> Set<UUID> {
        let mask = Int64(bitPattern: bit.mask)
        let rows = try await withConnection("reading the registrations of \(bit)") { connection in
            try await connection.run(
                "SELECT tech_id FROM \(unescaped: table("registrations")) WHERE registered & \(mask) <> 0", logger: logger
            )
        }
        do {
            var ids = Set<UUID>()
            for row in rows { ids.insert(try row.decode(UUID.self)) }
            return ids
        } catch {
            throw PostgresStoreErrors.map(error, "reading the registrations of \(bit)", prefix: prefix)
        }
    }

    /// Clears `bit` in every row in one UPDATE, then deletes the rows left empty.
    public func clearRegistrations(bit: ClientBit) async throws(StoreError) {
        let keep = Int64(bitPattern: ~bit.mask)
        try await transaction("clearing \(bit) from registrations") { connection in
            try await connection.run(
                """
                UPDATE \(unescaped: table("registrations")) SET registered = registered & \(keep), synced = synced & \(keep)
                WHERE (registered | synced) & \(~keep) <> 0
                """,
                logger: logger
            )
            try await connection.run("DELETE FROM \(unescaped: table("registrations")) WHERE registered = 0", logger: logger)
        }
    }

    /// A site-state value, nil when unset.
    public func siteState(_ key: String) async throws(StoreError) -> String? {
        let rows = try await withConnection("reading site state '\(key)'") { connection in
            try await connection.run("SELECT value FROM \(unescaped: table("site_state")) WHERE key = \(key)", logger: logger)
        }
        do {
            return try rows.first?.decode(String.self)
        } catch {
            throw PostgresStoreErrors.map(error, "reading site state '\(key)'", prefix: prefix)
        }
    }

    /// Sets a site-state value outside any entity transaction.
    public func setSiteState(_ key: String, _ value: String) async throws(StoreError) {
        try await withConnection("writing site state '\(key)'") { connection in
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("site_state")) (key, value) VALUES (\(key), \(value))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """,
                logger: logger
            )
        }
    }
}
