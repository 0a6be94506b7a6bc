import ArborCore
import Foundation
import GRDB

/// The rows of one sub-entity collection: `tech_id`, `entity_id` (the owning first-class
/// entity, indexed), `parent_id`, `is_deleted`, `deleted_time`, then the field columns.
/// Tombstones stay as rows so deletes converge.
struct SQLiteCollectionTable: Sendable {
    /// Dotted path of the collection in its class.
    let path: String
    let table: String
    let columns: SQLiteColumns
    private let selectSQL: String
    /// `INSERT INTO … VALUES ` (the rows follow) and one row's placeholders.
    private let insertSQL: String
    private let rowPlaceholders: String
    private let rowPlaceholderCount: Int

    private static let headerColumns = ["tech_id", "entity_id", "parent_id", "is_deleted", "deleted_time"]

    init(_ layout: EntityTableLayout.CollectionLayout) {
        path = layout.path
        table = layout.table
        columns = SQLiteColumns(table: layout.table, fields: layout.fieldColumns)
        let names = Self.headerColumns + columns.names
        selectSQL = "SELECT \(names.joined(separator: ", ")) FROM \(table)"
        let placeholders = Array(repeating: "?", count: Self.headerColumns.count) + columns.placeholders
        insertSQL = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES "
        rowPlaceholders = "(\(placeholders.joined(separator: ", ")))"
        rowPlaceholderCount = placeholders.count
    }

    /// CREATE statements for the table and its `entity_id` index (idempotent).
    var createStatements: [String] {
        let header = "tech_id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, parent_id TEXT NOT NULL, is_deleted INTEGER NOT NULL, deleted_time INTEGER"
        return [
            "CREATE TABLE IF NOT EXISTS \(table) (\(([header] + columns.definitions).joined(separator: ", ")))",
            "CREATE INDEX IF NOT EXISTS \(table)_entity_id ON \(table) (entity_id)",
        ]
    }

    /// Adds the sub-entities of the entities with `entityIds` (uuidStrings, at most one
    /// ``SQLiteBatches`` slice) to `subEntities`, grouped by entity.
    func load(_ db: Database, entityIds: [String], into subEntities: inout [UUID: [UUID: SubEntityState]]) throws {
        let statement = try SQLiteBatches.statement(db, count: entityIds.count, full: SQLiteBatches.rowsPerStatement(columns: 1)) { count in
            selectSQL + " WHERE entity_id IN (\(SQLiteBatches.repeated("?", count: count)))"
        }
        let rows = try Row.fetchCursor(statement, arguments: StatementArguments(entityIds))
        while let row = try rows.next() {
            let entityId = try SQLiteFieldCoding.uuid(row[1], column: "entity_id", table: table)
            let sub = try subEntity(from: row)
            subEntities[entityId, default: [:]][sub.techId] = sub
        }
    }

    /// Adds the sub-entities of every `in_cache` entity of `classTable`, grouped by entity.
    func loadCached(_ db: Database, classTable: String, into subEntities: inout [UUID: [UUID: SubEntityState]]) throws {
        let sql = selectSQL + " WHERE entity_id IN (SELECT tech_id FROM \(classTable) WHERE in_cache <> 0)"
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let entityId = try SQLiteFieldCoding.uuid(row[1], column: "entity_id", table: table)
            let sub = try subEntity(from: row)
            subEntities[entityId, default: [:]][sub.techId] = sub
        }
    }

    /// Replaces every row of each entity with its sub-entities (tombstones included), with
    /// multi-row statements; the entities are distinct.
    func replace(_ db: Database, entities: [(entityId: UUID, subEntities: [SubEntityState])]) throws {
        let idsPerStatement = SQLiteBatches.rowsPerStatement(columns: 1)
        for slice in SQLiteBatches.slices(entities, size: idsPerStatement) {
            let statement = try SQLiteBatches.statement(db, count: slice.count, full: idsPerStatement) { count in
                "DELETE FROM \(table) WHERE entity_id IN (\(SQLiteBatches.repeated("?", count: count)))"
            }
            try statement.execute(arguments: StatementArguments(slice.map(\.entityId.uuidString)))
        }
        let rows = entities.flatMap { entity in entity.subEntities.map { (entity.entityId, $0) } }
        let rowsPerStatement = SQLiteBatches.rowsPerStatement(columns: rowPlaceholderCount)
        for slice in SQLiteBatches.slices(rows, size: rowsPerStatement) {
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(slice.count * rowPlaceholderCount)
            for (entityId, sub) in slice {
                arguments += [
                    sub.techId.uuidString.databaseValue, entityId.uuidString.databaseValue, sub.parentId.uuidString.databaseValue,
                    (sub.isDeleted ? 1 : 0).databaseValue, sub.deletedTime?.microseconds.databaseValue ?? .null,
                ]
                arguments += columns.arguments(sub.fields)
            }
            let statement = try SQLiteBatches.statement(db, count: slice.count, full: rowsPerStatement) { count in
                insertSQL + SQLiteBatches.repeated(rowPlaceholders, count: count)
            }
            try statement.execute(arguments: StatementArguments(arguments))
        }
    }

    /// Removes every row of `entityId`.
    func delete(_ db: Database, entityId: UUID) throws {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE entity_id = ?").execute(arguments: [entityId.uuidString])
    }

    private func subEntity(from row: Row) throws(StoreError) -> SubEntityState {
        let deletedTime: DatabaseValue = row[4]
        return SubEntityState(
            collection: path,
            techId: try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: table),
            parentId: try SQLiteFieldCoding.uuid(row[2], column: "parent_id", table: table),
            fields: try columns.values(in: row, from: Self.headerColumns.count),
            isDeleted: try SQLiteFieldCoding.int64(row[3], column: "is_deleted", table: table) != 0,
            deletedTime: deletedTime.isNull
                ? nil : HybridTimestamp(microseconds: try SQLiteFieldCoding.int64(deletedTime, column: "deleted_time", table: table))
        )
    }
}
