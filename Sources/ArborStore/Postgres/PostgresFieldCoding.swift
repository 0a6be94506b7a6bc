import ArborCore
import Foundation
import PostgresNIO

/// Binds field values to, and reads them from, the typed field columns.
///
/// PostgreSQL keeps every ``FieldValue`` exactly through the binary protocol (Int32/Int64
/// extremes, -0.0, infinities, NaN, empty bytes), except text holding a NUL character, which
/// `text` cannot store: such values are refused before anything is written.
enum PostgresFieldCoding {
    /// Appends `value` (`.null` as an untyped NULL the server types from the column).
    static func bind(_ value: FieldValue, into binds: inout PostgresBindings) {
        switch value {
        case .null: binds.appendNull()
        case .uuid(let uuid): binds.append(uuid)
        case .text(let text), .json(let text): binds.append(text)
        case .int(let number): binds.append(number)
        case .bigint(let number), .timestamp(let number): binds.append(number)
        case .double(let number): binds.append(number)
        case .bool(let flag): binds.append(flag)
        case .bytes(let data): binds.append(ByteBuffer(bytes: data))
        }
    }

    /// Appends a field's value and write time, both NULL when the field was never written.
    static func bind(_ timed: TimedValue?, into binds: inout PostgresBindings) {
        guard let timed else {
            binds.appendNull()
            binds.appendNull()
            return
        }
        bind(timed.value, into: &binds)
        binds.append(timed.time.microseconds)
    }

    /// Reads the field column pairs that start at `start`: a NULL write time means the field
    /// was never written (a column added by a schema upgrade), so it is left out.
    static func fields(
        _ row: PostgresRandomAccessRow, from start: Int, _ columns: [EntityTableLayout.FieldColumns]
    ) throws -> [String: TimedValue] {
        var fields: [String: TimedValue] = [:]
        for (offset, column) in columns.enumerated() {
            let index = start + offset * 2
            guard let time = try row[index + 1].decode(Int64?.self) else { continue }
            fields[column.field.name] = TimedValue(try value(row[index], type: column.field.type), at: HybridTimestamp(microseconds: time))
        }
        return fields
    }

    /// The value of one field cell.
    static func value(_ cell: PostgresCell, type: FieldType) throws -> FieldValue {
        guard cell.bytes != nil else { return .null }
        switch type {
        case .uuid: return .uuid(try cell.decode(UUID.self))
        case .text: return .text(try cell.decode(String.self))
        case .json: return .json(try cell.decode(String.self))
        case .int: return .int(try cell.decode(Int32.self))
        case .bigint: return .bigint(try cell.decode(Int64.self))
        case .timestamp: return .timestamp(try cell.decode(Int64.self))
        case .double: return .double(try cell.decode(Double.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .bytes:
            var buffer = try cell.decode(ByteBuffer.self)
            return .bytes(buffer.readData(length: buffer.readableBytes) ?? Data())
        }
    }

    /// Refuses text PostgreSQL cannot store (a NUL character), naming the field.
    static func checkStorable(_ fields: [String: TimedValue], owner: String) throws(StoreError) {
        for (name, timed) in fields {
            switch timed.value {
            case .text(let text), .json(let text):
                if text.utf8.contains(0) {
                    throw StoreError(.invalidInput, "field '\(name)' of \(owner) contains a NUL character, which PostgreSQL text cannot store")
                }
            default:
                continue
            }
        }
    }
}
