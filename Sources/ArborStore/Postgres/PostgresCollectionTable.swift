import ArborCore
import Foundation
import PostgresNIO

/// The rows of one sub-entity collection: `tech_id`, `entity_id` (the owning first-class
/// entity, indexed), `parent_id`, `is_deleted`, `deleted_time`, then the field column pairs.
/// Tombstones stay as rows so deletes converge.
struct PostgresCollectionTable: Sendable {
    /// Dotted path of the collection in its class.
    let path: String
    let table: String
    let fieldColumns: [EntityTableLayout.FieldColumns]
    private let selectSQL: String
    private let insertSQL: String
    private let columnCount: Int

    /// Columns before the field pairs.
    private static let headerColumns = ["tech_id", "entity_id", "parent_id", "is_deleted", "deleted_time"]

    init(_ layout: EntityTableLayout.CollectionLayout) {
        path = layout.path
        table = layout.table
        fieldColumns = layout.fieldColumns
        let names = Self.headerColumns + layout.fieldColumns.flatMap { [$0.value, $0.time] }.map(PostgresEntityDDL.quoted)
        columnCount = names.count
        selectSQL = "SELECT \(names.joined(separator: ", ")) FROM \(PostgresEntityDDL.quoted(table))"
        let arrayTypes = ["uuid[]", "uuid[]", "uuid[]", "boolean[]", "bigint[]"]
            + layout.fieldColumns.flatMap { [PostgresEntityDDL.columnType($0.field.type) + "[]", "bigint[]"] }
        let arrays = arrayTypes.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        insertSQL = "INSERT INTO \(PostgresEntityDDL.quoted(table)) (\(names.joined(separator: ", "))) SELECT * FROM unnest(\(arrays))"
    }

    /// The sub-entities of the rows matching `condition`, with the tech-id of their entity.
    func select(
        where condition: String, binds: PostgresBindings, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(entityId: UUID, sub: SubEntityState)] {
        let query = PostgresQuery(unsafeSQL: selectSQL + " WHERE " + condition, binds: binds)
        var found: [(UUID, SubEntityState)] = []
        for try await row in try await connection.query(query, logger: logger) {
            let columns = row.makeRandomAccess()
            let sub = SubEntityState(
                collection: path, techId: try columns[0].decode(UUID.self), parentId: try columns[2].decode(UUID.self),
                fields: try PostgresFieldCoding.fields(columns, from: Self.headerColumns.count, fieldColumns),
                isDeleted: try columns[3].decode(Bool.self),
                deletedTime: try columns[4].decode(Int64?.self).map(HybridTimestamp.init(microseconds:))
            )
            found.append((try columns[1].decode(UUID.self), sub))
        }
        return found
    }

    /// Replaces every row of `entityIds` with `subEntities` (each with its entity's tech-id):
    /// one DELETE and at most one INSERT from `unnest` arrays, rows in (entity, tech-id) order.
    func replace(entityIds: [UUID], with subEntities: [(entityId: UUID, sub: SubEntityState)], on connection: PostgresConnection, logger: Logger) async throws {
        var deleteBinds = PostgresBindings()
        deleteBinds.append(entityIds)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(PostgresEntityDDL.quoted(table)) WHERE entity_id = ANY($1)", binds: deleteBinds), logger: logger
        )
        guard !subEntities.isEmpty else { return }
        let sorted = subEntities.sorted { ($0.entityId.uuidString, $0.sub.techId.uuidString) < ($1.entityId.uuidString, $1.sub.techId.uuidString) }
        var binds = PostgresBindings(capacity: columnCount)
        binds.append(sorted.map(\.sub.techId))
        binds.append(sorted.map(\.entityId))
        binds.append(sorted.map(\.sub.parentId))
        binds.append(sorted.map(\.sub.isDeleted))
        binds.append(PostgresNullableArray(elements: sorted.map { $0.sub.deletedTime?.microseconds }))
        for column in fieldColumns {
            let values = sorted.map { $0.sub.fields[column.field.name] }
            _ = try PostgresColumnArrays.bindValues(values, type: column.field.type, into: &binds)
            PostgresColumnArrays.bindTimes(values, into: &binds)
        }
        try await connection.query(PostgresQuery(unsafeSQL: insertSQL, binds: binds), logger: logger)
    }
}
