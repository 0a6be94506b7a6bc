import ArborCore
import Foundation

/// The entity tables generated from the distribution schema (names from ``EntityTableLayout``).
///
/// Field columns are all nullable, write-time columns included: a schema upgrade adds columns
/// to rows written before it, and a NULL write time means "never written".
enum PostgresEntityDDL {
    /// The PostgreSQL column type of a field. JSON is kept as `text`, not `jsonb`, so the exact
    /// text round-trips.
    static func columnType(_ type: FieldType) -> String {
        switch type {
        case .uuid: return "uuid"
        case .text, .json: return "text"
        case .int: return "integer"
        case .bigint, .timestamp: return "bigint"
        case .double: return "double precision"
        case .bool: return "boolean"
        case .bytes: return "bytea"
        }
    }

    /// The columns every class table starts with.
    static let classHeader = [
        ("tech_id", "uuid PRIMARY KEY"), ("topics", "text NOT NULL"), ("topics_time", "bigint NOT NULL"),
        ("update_time", "bigint NOT NULL"), ("in_cache", "boolean NOT NULL"),
    ]

    /// The columns every collection table starts with.
    static let collectionHeader = [
        ("tech_id", "uuid PRIMARY KEY"), ("entity_id", "uuid NOT NULL"), ("parent_id", "uuid NOT NULL"),
        ("is_deleted", "boolean NOT NULL"), ("deleted_time", "bigint"),
    ]

    /// Every table of `layout`, class table first.
    static func tables(of layout: EntityTableLayout) -> [(table: String, header: [(String, String)], fields: [EntityTableLayout.FieldColumns])] {
        [(layout.table, classHeader, layout.fieldColumns)]
            + layout.collections.map { ($0.table, collectionHeader, $0.fieldColumns) }
    }

    /// Statements that bring the tables of `layout` up to date, given the columns that exist
    /// (table → column → `information_schema` data type). Creates missing tables, adds missing
    /// columns, never drops; throws `.schemaMismatch` when a field column has another type.
    static func statements(for layout: EntityTableLayout, existing: [String: [String: String]]) throws(StoreError) -> [String] {
        var statements: [String] = []
        for (table, header, fields) in tables(of: layout) {
            guard let columns = existing[table] else {
                let definitions = header.map { "\(quoted($0.0)) \($0.1)" }
                    + fields.flatMap { ["\(quoted($0.value)) \(columnType($0.field.type))", "\(quoted($0.time)) bigint"] }
                statements.append("CREATE TABLE IF NOT EXISTS \(quoted(table)) (\(definitions.joined(separator: ", ")))")
                if header.first(where: { $0.0 == "entity_id" }) != nil {
                    statements.append("CREATE INDEX IF NOT EXISTS \(quoted(indexName(table))) ON \(quoted(table)) (entity_id)")
                }
                continue
            }
            for field in fields {
                let wanted = columnType(field.field.type)
                if let found = columns[field.value], found != wanted {
                    throw StoreError(
                        .schemaMismatch,
                        "column \(field.value) of table \(table) has type \(found) but field '\(field.field.name)' is now \(field.field.type.rawValue): Arbor does not convert columns; add a field with a new name instead"
                    )
                }
                if columns[field.value] == nil {
                    statements.append("ALTER TABLE \(quoted(table)) ADD COLUMN IF NOT EXISTS \(quoted(field.value)) \(wanted)")
                }
                if columns[field.time] == nil {
                    statements.append("ALTER TABLE \(quoted(table)) ADD COLUMN IF NOT EXISTS \(quoted(field.time)) bigint")
                }
            }
        }
        return statements
    }

    /// The name of a collection table's `entity_id` index; PostgreSQL would silently cut a name
    /// longer than 63 characters (and two cut names could collide), so long ones are hashed.
    static func indexName(_ table: String) -> String {
        let plain = table + "_entity_id"
        guard plain.utf8.count > EntityTableLayout.maximumIdentifierLength else { return plain }
        return String(table.prefix(40)) + "_eid_" + String(PostgresLockKey.fnv1a(table), radix: 16)
    }

    /// An identifier in double quotes. Generated names are lower-case ASCII, so quoting does not
    /// change them; it only keeps any name from being read as a keyword.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
