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
    private let insertPrefix: String
    private let columnCount: Int

    /// Columns before the field pairs.
    private static let headerColumns = ["tech_id", "entity_id", "parent_id", "is_deleted", "deleted_time"]
    /// Bind parameters per INSERT, well under PostgreSQL's limit of 65535.
    private static let maximumBindsPerInsert = 30_000

    init(_ layout: EntityTableLayout.CollectionLayout) {
        path = layout.path
        table = layout.table
        fieldColumns = layout.fieldColumns
        let names = Self.headerColumns + layout.fieldColumns.flatMap { [$0.value, $0.time] }.map(PostgresEntityDDL.quoted)
        columnCount = names.count
        selectSQL = "SELECT \(names.joined(separator: ", ")) FROM \(PostgresEntityDDL.quoted(table))"
        insertPrefix = "INSERT INTO \(PostgresEntityDDL.quoted(table)) (\(names.joined(separator: ", "))) VALUES "
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

    /// Replaces every row of `entityId` with `subEntities`, inserted in tech-id order.
    func replace(entityId: UUID, with subEntities: [SubEntityState], on connection: PostgresConnection, logger: Logger) async throws {
        var deleteBinds = PostgresBindings()
        deleteBinds.append(entityId)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(PostgresEntityDDL.quoted(table)) WHERE entity_id = $1", binds: deleteBinds), logger: logger
        )
        let sorted = subEntities.sorted { $0.techId.uuidString < $1.techId.uuidString }
        let rowsPerInsert = max(1, Self.maximumBindsPerInsert / columnCount)
        for start in stride(from: 0, to: sorted.count, by: rowsPerInsert) {
            let chunk = sorted[start..<min(start + rowsPerInsert, sorted.count)]
            var binds = PostgresBindings(capacity: chunk.count * columnCount)
            var tuples: [String] = []
            for sub in chunk {
                let first = binds.count
                binds.append(sub.techId)
                binds.append(entityId)
                binds.append(sub.parentId)
                binds.append(sub.isDeleted)
                binds.append(sub.deletedTime?.microseconds)
                for column in fieldColumns {
                    PostgresFieldCoding.bind(sub.fields[column.field.name], into: &binds)
                }
                tuples.append("(" + (first + 1...binds.count).map { "$\($0)" }.joined(separator: ", ") + ")")
            }
            try await connection.query(PostgresQuery(unsafeSQL: insertPrefix + tuples.joined(separator: ", "), binds: binds), logger: logger)
        }
    }
}
