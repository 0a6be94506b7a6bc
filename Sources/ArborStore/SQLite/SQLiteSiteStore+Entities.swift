import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    /// The entities with the given keys, ordered by class (schema order), then tech-id.
    public func entities(_ keys: Set<EntityKey>) async throws(StoreError) -> [EntityState] {
        let loaded = try await reading("reading entities") { db in try self.load(db, keys) }
        let order = Dictionary(entityTables.enumerated().map { ($1.entityClass, $0) }, uniquingKeysWith: { first, _ in first })
        return loaded.values.sorted {
            (order[$0.entityClass] ?? 0, $0.techId.uuidString) < (order[$1.entityClass] ?? 0, $1.techId.uuidString)
        }
    }

    /// Every entity as of the last sequence, read in one read transaction (a WAL snapshot, so
    /// concurrent writers neither block it nor show through). Entities come by class (schema
    /// order), then tech-id; headers likewise.
    public func snapshot() async throws(StoreError) -> StoreSnapshot {
        try await reading("reading a snapshot") { [logTable, entityTables] db in
            let sequence = try Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM \(logTable)") ?? 0
            var entities: [EntityState] = []
            var headers: [EntityHeader] = []
            for table in entityTables {
                try table.loadAll(db, entities: &entities, headers: &headers)
            }
            return StoreSnapshot(sequence: sequence, entities: entities, headers: headers)
        }
    }

    /// Loads whole entities by key inside the current transaction; absent ones are left out,
    /// an unknown class is `.invalidInput`.
    func load(_ db: Database, _ keys: Set<EntityKey>) throws -> [EntityKey: EntityState] {
        var loaded: [EntityKey: EntityState] = [:]
        loaded.reserveCapacity(keys.count)
        for (entityClass, classKeys) in Dictionary(grouping: keys, by: \.entityClass) {
            for (techId, state) in try table(for: entityClass).load(db, techIds: classKeys.map(\.techId)) {
                loaded[EntityKey(entityClass, techId)] = state
            }
        }
        return loaded
    }
}
