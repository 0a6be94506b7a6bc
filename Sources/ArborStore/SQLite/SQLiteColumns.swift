import ArborCore
import GRDB

/// The field columns of one entity or collection table: their DDL, their placeholders and how
/// a row's field values are read and bound (a value column and a write-time column per field).
///
/// A NULL write time means the field was never written, so it is absent from `fields`: a
/// schema upgrade adds columns to rows written before the field existed.
struct SQLiteColumns: Sendable {
    let table: String
    let fields: [EntityTableLayout.FieldColumns]

    /// `f_x, t_x, …` in field order, for SELECT and INSERT column lists.
    var names: [String] { fields.flatMap { [$0.value, $0.time] } }

    /// The placeholders matching ``names``.
    var placeholders: [String] { fields.flatMap { [SQLiteFieldCoding.placeholder($0.field.type), "?"] } }

    /// Column definitions for CREATE TABLE; every field column is nullable.
    var definitions: [String] {
        fields.flatMap { ["\($0.value) \(SQLiteFieldCoding.columnType($0.field.type))", "\($0.time) INTEGER"] }
    }

    /// The values to bind for ``names`` from `fields` (absent fields bind two NULLs).
    func arguments(_ values: [String: TimedValue]) -> [DatabaseValue] {
        var arguments: [DatabaseValue] = []
        arguments.reserveCapacity(fields.count * 2)
        for column in fields {
            if let timed = values[column.field.name] {
                arguments.append(SQLiteFieldCoding.databaseValue(timed.value))
                arguments.append(timed.time.microseconds.databaseValue)
            } else {
                arguments += [.null, .null]
            }
        }
        return arguments
    }

    /// The field values of `row`, whose field columns start at index `first`.
    func values(in row: Row, from first: Int) throws(StoreError) -> [String: TimedValue] {
        var values: [String: TimedValue] = [:]
        for (offset, column) in fields.enumerated() {
            let time: DatabaseValue = row[first + 2 * offset + 1]
            if time.isNull { continue }
            let micros = try SQLiteFieldCoding.int64(time, column: column.time, table: table)
            let value = try SQLiteFieldCoding.fieldValue(row[first + 2 * offset], type: column.field.type, column: column.value, table: table)
            values[column.field.name] = TimedValue(value, at: HybridTimestamp(microseconds: micros))
        }
        return values
    }

    /// `ALTER TABLE … ADD COLUMN` statements for the value and time columns of `added` fields.
    func addColumnStatements(for added: Set<String>) -> [String] {
        fields.filter { added.contains($0.field.name) }.flatMap { column in
            [
                "ALTER TABLE \(table) ADD COLUMN \(column.value) \(SQLiteFieldCoding.columnType(column.field.type))",
                "ALTER TABLE \(table) ADD COLUMN \(column.time) INTEGER",
            ]
        }
    }
}
