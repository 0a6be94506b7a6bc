import ArborCore
import Foundation
import GRDB

/// How field values are stored in SQLite columns, so that every ``FieldValue`` comes back
/// exactly as written.
///
/// SQLite needs three escapes from the obvious mapping, each read back by the column's type:
/// - a NaN bound as REAL becomes NULL, and a REAL -0.0 is written to disk as the integer 0 and
///   comes back as +0.0: both are stored as an 8-byte BLOB of their bit pattern (big-endian);
/// - `sqlite3_bind_blob` binds NULL when given a nil pointer, which Foundation may hand out
///   for empty `Data` (it does on some platforms): byte values go through `CAST(? AS BLOB)`,
///   with an empty one bound as the empty string, so it is always an empty BLOB;
/// - text is bound as a C string, cut at a NUL character: text containing NUL is stored as a
///   BLOB of its UTF-8 bytes.
enum SQLiteFieldCoding {
    /// The declared column type of a field's value column.
    static func columnType(_ type: FieldType) -> String {
        switch type {
        case .uuid, .text, .json: return "TEXT"
        case .int, .bigint, .timestamp, .bool: return "INTEGER"
        case .double: return "REAL"
        case .bytes: return "BLOB"
        }
    }

    /// The SQL placeholder that binds a value of `type` (see the type's notes on empty bytes).
    static func placeholder(_ type: FieldType) -> String {
        type == .bytes ? "CAST(? AS BLOB)" : "?"
    }

    /// The value to bind for `value`, to be used with ``placeholder(_:)`` of its field type.
    static func databaseValue(_ value: FieldValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .uuid(let uuid): return uuid.uuidString.databaseValue
        case .text(let text), .json(let text): return textValue(text)
        case .int(let number): return Int64(number).databaseValue
        case .bigint(let number), .timestamp(let number): return number.databaseValue
        case .double(let number):
            if number.isNaN || (number == 0 && number.sign == .minus) {
                return Data(withUnsafeBytes(of: number.bitPattern.bigEndian, Array.init)).databaseValue
            }
            return number.databaseValue
        case .bool(let flag): return (flag ? 1 : 0).databaseValue
        case .bytes(let data): return data.isEmpty ? "".databaseValue : data.databaseValue
        }
    }

    /// Reads a stored value back as a value of `type`; throws when the column holds something
    /// Arbor never writes there (the database was changed by hand). Messages name the column,
    /// never the value.
    static func fieldValue(_ stored: DatabaseValue, type: FieldType, column: String, table: String) throws(StoreError) -> FieldValue {
        switch (type, stored.storage) {
        case (_, .null): return .null
        case (.uuid, .string(let text)):
            if let uuid = UUID(uuidString: text) { return .uuid(uuid) }
        case (.text, .string(let text)): return .text(text)
        case (.text, .blob(let data)): return .text(String(decoding: data, as: UTF8.self))
        case (.json, .string(let text)): return .json(text)
        case (.json, .blob(let data)): return .json(String(decoding: data, as: UTF8.self))
        case (.int, .int64(let number)):
            if let small = Int32(exactly: number) { return .int(small) }
        case (.bigint, .int64(let number)): return .bigint(number)
        case (.timestamp, .int64(let number)): return .timestamp(number)
        case (.double, .double(let number)): return .double(number)
        case (.double, .int64(let number)): return .double(Double(number))
        case (.double, .blob(let data)):
            if data.count == 8 { return .double(Double(bitPattern: data.reduce(0) { $0 << 8 | UInt64($1) })) }
        case (.bool, .int64(let number)):
            if number == 0 || number == 1 { return .bool(number == 1) }
        case (.bytes, .blob(let data)): return .bytes(data)
        default: break
        }
        throw StoreError(
            .queryFailed,
            "column \(column) of table \(table) holds a value that is not a valid \(type.rawValue): was the database changed outside Arbor?"
        )
    }

    /// Text bound so that no character is lost (see the type's notes on NUL).
    static func textValue(_ text: String) -> DatabaseValue {
        text.utf8.contains(0) ? Data(text.utf8).databaseValue : text.databaseValue
    }

    /// Reads a `TEXT NOT NULL` header column (tech-ids, topics).
    static func uuid(_ stored: DatabaseValue, column: String, table: String) throws(StoreError) -> UUID {
        guard case .uuid(let uuid) = try fieldValue(stored, type: .uuid, column: column, table: table) else {
            throw StoreError(.queryFailed, "column \(column) of table \(table) is NULL: was the database changed outside Arbor?")
        }
        return uuid
    }

    /// Reads an `INTEGER NOT NULL` header column.
    static func int64(_ stored: DatabaseValue, column: String, table: String) throws(StoreError) -> Int64 {
        guard case .int64(let number) = stored.storage else {
            throw StoreError(.queryFailed, "column \(column) of table \(table) does not hold an integer: was the database changed outside Arbor?")
        }
        return number
    }
}
