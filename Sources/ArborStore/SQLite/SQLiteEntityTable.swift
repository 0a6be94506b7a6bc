import ArborCore
import Foundation
import GRDB

/// The rows of one entity class: its class table and its collection tables (shared naming in
/// ``EntityTableLayout``). Identifiers come from the validated layout, values are always bound.
///
/// Class table columns: `tech_id` (uuidString), `topics` (`,A,B,`), `topics_time`,
/// `update_time`, `in_cache`, then the field columns (see ``SQLiteColumns``).
struct SQLiteEntityTable: Sendable {
    let layout: EntityTableLayout
    let collections: [SQLiteCollectionTable]
    let columns: SQLiteColumns
    private let selectSQL: String
    /// `INSERT OR REPLACE INTO … VALUES ` (the rows follow) and one row's placeholders.
    private let insertSQL: String
    private let rowPlaceholders: String
    private let rowPlaceholderCount: Int

    private static let headerColumns = ["tech_id", "topics", "topics_time", "update_time", "in_cache"]

    init(_ layout: EntityTableLayout) {
        self.layout = layout
        columns = SQLiteColumns(table: layout.table, fields: layout.fieldColumns)
        collections = layout.collections.map { SQLiteCollectionTable($0) }
        let names = Self.headerColumns + columns.names
        selectSQL = "SELECT \(names.joined(separator: ", ")) FROM \(layout.table)"
        let placeholders = Array(repeating: "?", count: Self.headerColumns.count) + columns.placeholders
        insertSQL = "INSERT OR REPLACE INTO \(layout.table) (\(names.joined(separator: ", "))) VALUES "
        rowPlaceholders = "(\(placeholders.joined(separator: ", ")))"
        rowPlaceholderCount = placeholders.count
    }

    var entityClass: String { layout.entityClass.name }

    /// Every table of this class, the class table first.
    var tableNames: [String] { [layout.table] + collections.map(\.table) }

    /// CREATE statements for the tables and indexes of this class (idempotent).
    var createStatements: [String] {
        let header = "tech_id TEXT PRIMARY KEY, topics TEXT NOT NULL, topics_time INTEGER NOT NULL, update_time INTEGER NOT NULL, in_cache INTEGER NOT NULL"
        let table = "CREATE TABLE IF NOT EXISTS \(layout.table) (\(([header] + columns.definitions).joined(separator: ", ")))"
        return [table] + collections.flatMap(\.createStatements)
    }

    /// `ALTER TABLE … ADD COLUMN` statements for the fields an upgrade adds to this class and
    /// its kept collections (new tables come from ``createStatements``).
    func addedColumnStatements(_ additions: SchemaEvolution.Additions) -> [String] {
        let classFields = Set((additions.classFields[entityClass] ?? []).map(\.name))
        return columns.addColumnStatements(for: classFields) + collections.flatMap { collection in
            let path = SchemaEvolution.CollectionPath(entityClass: entityClass, path: collection.path)
            return collection.columns.addColumnStatements(for: Set((additions.collectionFields[path] ?? []).map(\.name)))
        }
    }

    /// The whole entities with `techIds`, sub-entities and tombstones included; absent ones are
    /// left out. A few statements per ``SQLiteBatches`` slice, whatever the number of ids.
    func load(_ db: Database, techIds: [UUID]) throws -> [UUID: EntityState] {
        var loaded: [UUID: EntityState] = [:]
        loaded.reserveCapacity(techIds.count)
        let size = SQLiteBatches.rowsPerStatement(columns: 1)
        for slice in SQLiteBatches.slices(techIds, size: size) {
            let ids = slice.map(\.uuidString)
            var subEntities: [UUID: [UUID: SubEntityState]] = [:]
            for collection in collections {
                try collection.load(db, entityIds: ids, into: &subEntities)
            }
            let statement = try SQLiteBatches.statement(db, count: ids.count, full: size) { count in
                selectSQL + " WHERE tech_id IN (\(SQLiteBatches.repeated("?", count: count)))"
            }
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(ids))
            while let row = try rows.next() {
                let techId = try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: layout.table)
                loaded[techId] = try entity(from: row, subEntities: subEntities[techId] ?? [:])
            }
        }
        return loaded
    }

    /// Every row of the class: whole entities for `in_cache` ones, headers for the others.
    func loadAll(_ db: Database, entities: inout [EntityState], headers: inout [EntityHeader]) throws {
        var subEntities: [UUID: [UUID: SubEntityState]] = [:]
        for collection in collections {
            try collection.loadCached(db, classTable: layout.table, into: &subEntities)
        }
        let rows = try Row.fetchCursor(db, sql: selectSQL + " ORDER BY tech_id")
        while let row = try rows.next() {
            let inCache = try SQLiteFieldCoding.int64(row[4], column: "in_cache", table: layout.table) != 0
            if inCache {
                let techId = try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: layout.table)
                entities.append(try entity(from: row, subEntities: subEntities[techId] ?? [:]))
            } else {
                headers.append(try header(from: row))
            }
        }
    }

    /// Inserts or replaces the rows of `states` (distinct entities) and replaces all their
    /// sub-entity rows, with multi-row statements.
    func save(_ db: Database, _ states: [EntityState]) throws {
        guard !states.isEmpty else { return }
        let size = SQLiteBatches.rowsPerStatement(columns: rowPlaceholderCount)
        for slice in SQLiteBatches.slices(states, size: size) {
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(slice.count * rowPlaceholderCount)
            for state in slice {
                arguments += [
                    state.techId.uuidString.databaseValue, state.topics.formatted.databaseValue,
                    state.topicsTime.microseconds.databaseValue, state.updateTime.microseconds.databaseValue,
                    (state.inCache ? 1 : 0).databaseValue,
                ]
                arguments += columns.arguments(state.fields)
            }
            let statement = try SQLiteBatches.statement(db, count: slice.count, full: size) { count in
                insertSQL + SQLiteBatches.repeated(rowPlaceholders, count: count)
            }
            try statement.execute(arguments: StatementArguments(arguments))
        }
        for collection in collections {
            try collection.replace(db, entities: states.map { state in
                (state.techId, state.subEntities.values.filter { $0.collection == collection.path })
            })
        }
    }

    /// Removes the entity's row and its sub-entity rows.
    func purge(_ db: Database, techId: UUID) throws {
        try db.cachedStatement(sql: "DELETE FROM \(layout.table) WHERE tech_id = ?").execute(arguments: [techId.uuidString])
        for collection in collections {
            try collection.delete(db, entityId: techId)
        }
    }

    private func entity(from row: Row, subEntities: [UUID: SubEntityState]) throws(StoreError) -> EntityState {
        let table = layout.table
        return EntityState(
            entityClass: entityClass,
            techId: try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: table),
            inCache: try SQLiteFieldCoding.int64(row[4], column: "in_cache", table: table) != 0,
            topics: try topics(row),
            topicsTime: HybridTimestamp(microseconds: try SQLiteFieldCoding.int64(row[2], column: "topics_time", table: table)),
            fields: try columns.values(in: row, from: Self.headerColumns.count),
            subEntities: subEntities
        )
    }

    private func header(from row: Row) throws(StoreError) -> EntityHeader {
        let table = layout.table
        // f_deleted is the first field column: the deleted flag is stored first.
        let deleted: DatabaseValue = row[Self.headerColumns.count]
        return EntityHeader(
            key: EntityKey(entityClass, try SQLiteFieldCoding.uuid(row[0], column: "tech_id", table: table)),
            topics: try topics(row),
            updateTime: HybridTimestamp(microseconds: try SQLiteFieldCoding.int64(row[3], column: "update_time", table: table)),
            isDeleted: deleted == true.databaseValue
        )
    }

    private func topics(_ row: Row) throws(StoreError) -> TopicsList {
        let text: DatabaseValue = row[1]
        guard let text = String.fromDatabaseValue(text), let topics = try? TopicsList(parsing: text) else {
            throw StoreError(.queryFailed, "column topics of table \(layout.table) holds an invalid topics list: was the database changed outside Arbor?")
        }
        return topics
    }
}
