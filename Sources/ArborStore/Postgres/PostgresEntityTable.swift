import ArborCore
import Foundation
import PostgresNIO

/// The rows of one entity class: its class table and its collection tables, with the SQL to
/// read and write them built once from the ``EntityTableLayout``.
struct PostgresEntityTable: Sendable {
    let layout: EntityTableLayout
    let collections: [PostgresCollectionTable]
    private let selectSQL: String
    private let upsertSQL: String

    /// Columns before the field pairs: tech_id, topics, topics_time, update_time, in_cache.
    private static let headerCount = 5

    init(_ layout: EntityTableLayout) {
        self.layout = layout
        collections = layout.collections.map(PostgresCollectionTable.init)
        let table = PostgresEntityDDL.quoted(layout.table)
        let names = ["tech_id", "topics", "topics_time", "update_time", "in_cache"]
            + layout.fieldColumns.flatMap { [$0.value, $0.time] }.map(PostgresEntityDDL.quoted)
        selectSQL = "SELECT \(names.joined(separator: ", ")) FROM \(table)"
        // One array per column, typed as the column: a whole class's rows in one statement.
        let arrayTypes = ["uuid[]", "text[]", "bigint[]", "bigint[]", "boolean[]"]
            + layout.fieldColumns.flatMap { [PostgresEntityDDL.columnType($0.field.type) + "[]", "bigint[]"] }
        let arrays = arrayTypes.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        let updates = names.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        upsertSQL = "INSERT INTO \(table) (\(names.joined(separator: ", "))) SELECT * FROM unnest(\(arrays)) ON CONFLICT (tech_id) DO UPDATE SET \(updates)"
    }

    var entityClass: String { layout.entityClass.name }

    /// Whole entities with the given tech-ids (sub-entities included), by tech-id.
    func load(_ techIds: [UUID], on connection: PostgresConnection, logger: Logger) async throws -> [UUID: EntityState] {
        var binds = PostgresBindings()
        binds.append(techIds)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: selectSQL + " WHERE tech_id = ANY($1)", binds: binds), logger: logger)
        var states: [UUID: EntityState] = [:]
        for try await row in rows {
            let state = try entity(from: row)
            states[state.techId] = state
        }
        try await attachSubEntities(to: &states, where: "entity_id = ANY($1)", binds: binds, on: connection, logger: logger)
        return states
    }

    /// Every entity kept in cache servers' memory, ordered by tech-id.
    func loadCached(on connection: PostgresConnection, logger: Logger) async throws -> [EntityState] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: selectSQL + " WHERE in_cache ORDER BY tech_id"), logger: logger)
        var order: [UUID] = []
        var states: [UUID: EntityState] = [:]
        for try await row in rows {
            let state = try entity(from: row)
            order.append(state.techId)
            states[state.techId] = state
        }
        let cached = "entity_id IN (SELECT tech_id FROM \(PostgresEntityDDL.quoted(layout.table)) WHERE in_cache)"
        try await attachSubEntities(to: &states, where: cached, binds: PostgresBindings(), on: connection, logger: logger)
        return order.compactMap { states[$0] }
    }

    /// The headers of entities kept out of cache servers' memory, ordered by tech-id.
    func loadHeaders(on connection: PostgresConnection, logger: Logger) async throws -> [EntityHeader] {
        let deleted = layout.fieldColumns[0]
        let sql = "SELECT tech_id, topics, update_time, \(PostgresEntityDDL.quoted(deleted.value)), \(PostgresEntityDDL.quoted(deleted.time)) FROM \(PostgresEntityDDL.quoted(layout.table)) WHERE NOT in_cache ORDER BY tech_id"
        var headers: [EntityHeader] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
            let columns = row.makeRandomAccess()
            let techId = try columns[0].decode(UUID.self)
            let isDeleted = try columns[4].decode(Int64?.self) != nil && columns[3].decode(Bool?.self) == true
            headers.append(EntityHeader(
                key: EntityKey(entityClass, techId), topics: try topics(columns[1].decode(String.self), techId),
                updateTime: HybridTimestamp(microseconds: try columns[2].decode(Int64.self)), isDeleted: isDeleted
            ))
        }
        return headers
    }

    /// Inserts or replaces the rows of `states` (of this class) and replaces all their
    /// sub-entity rows (tombstones kept): one statement for the class table and two per
    /// collection table, however many entities. A tech-id given twice keeps its last state.
    func upsert(_ states: [EntityState], on connection: PostgresConnection, logger: Logger) async throws {
        var latest: [UUID: Int] = [:]
        for (index, state) in states.enumerated() { latest[state.techId] = index }
        let rows = states.enumerated().filter { latest[$0.element.techId] == $0.offset }.map(\.element)
        guard !rows.isEmpty else { return }
        var binds = PostgresBindings(capacity: Self.headerCount + layout.fieldColumns.count * 2)
        binds.append(rows.map(\.techId))
        binds.append(rows.map(\.topics.formatted))
        binds.append(rows.map(\.topicsTime.microseconds))
        binds.append(rows.map(\.updateTime.microseconds))
        binds.append(rows.map(\.inCache))
        for column in layout.fieldColumns {
            let values = rows.map { $0.fields[column.field.name] }
            _ = try PostgresColumnArrays.bindValues(values, type: column.field.type, into: &binds)
            PostgresColumnArrays.bindTimes(values, into: &binds)
        }
        try await connection.query(PostgresQuery(unsafeSQL: upsertSQL, binds: binds), logger: logger)
        guard !collections.isEmpty else { return }
        let entityIds = rows.map(\.techId)
        for collection in collections {
            let subs = rows.flatMap { state in
                state.subEntities.values.filter { $0.collection == collection.path }.map { (entityId: state.techId, sub: $0) }
            }
            try await collection.replace(entityIds: entityIds, with: subs, on: connection, logger: logger)
        }
    }

    /// Deletes the rows of `techIds` and all their sub-entity rows.
    func purge(_ techIds: [UUID], on connection: PostgresConnection, logger: Logger) async throws {
        guard !techIds.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(techIds)
        let table = PostgresEntityDDL.quoted(layout.table)
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE tech_id = ANY($1)", binds: binds), logger: logger)
        for collection in collections {
            try await collection.replace(entityIds: techIds, with: [], on: connection, logger: logger)
        }
    }

    private func attachSubEntities(
        to states: inout [UUID: EntityState], where condition: String, binds: PostgresBindings,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !states.isEmpty else { return }
        for collection in collections {
            for (entityId, sub) in try await collection.select(where: condition, binds: binds, on: connection, logger: logger) {
                states[entityId]?.subEntities[sub.techId] = sub
            }
        }
    }

    private func entity(from row: PostgresRow) throws -> EntityState {
        let columns = row.makeRandomAccess()
        let techId = try columns[0].decode(UUID.self)
        return EntityState(
            entityClass: entityClass, techId: techId, inCache: try columns[4].decode(Bool.self),
            topics: try topics(columns[1].decode(String.self), techId),
            topicsTime: HybridTimestamp(microseconds: try columns[2].decode(Int64.self)),
            fields: try PostgresFieldCoding.fields(columns, from: Self.headerCount, layout.fieldColumns)
        )
    }

    private func topics(_ text: String, _ techId: UUID) throws(StoreError) -> TopicsList {
        do {
            return try TopicsList(parsing: text)
        } catch {
            throw StoreError(.queryFailed, "the topics column of \(entityClass) \(techId) in \(layout.table) is malformed: was the table changed outside Arbor?", underlying: error)
        }
    }
}
