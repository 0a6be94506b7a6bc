import ArborCore
import Foundation
import PostgresNIO

/// A one-dimensional PostgreSQL array that may hold NULLs, in the binary format (PostgresNIO
/// encodes arrays of non-optional elements only). Set-based writes bind one per column and
/// turn them into rows with `unnest`.
struct PostgresNullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    var elements: [Element?]

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}

/// Binds columns of field values as typed arrays for `unnest`.
enum PostgresColumnArrays {
    /// Appends the array of one field column (values of `type`; nil and `.null` are NULL) and
    /// returns its SQL array type for the cast in `unnest($n::type[])`.
    static func bindValues(_ values: [TimedValue?], type: FieldType, into binds: inout PostgresBindings) throws -> String {
        switch type {
        case .uuid: binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) { if case .uuid(let v) = $0 { v } else { nil } } }))
        case .text, .json:
            binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) {
                switch $0 { case .text(let v), .json(let v): v; default: nil }
            } }))
        case .int: binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) { if case .int(let v) = $0 { v } else { nil } } }))
        case .bigint, .timestamp:
            binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) {
                switch $0 { case .bigint(let v), .timestamp(let v): v; default: nil }
            } }))
        case .double: binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) { if case .double(let v) = $0 { v } else { nil } } }))
        case .bool: binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) { if case .bool(let v) = $0 { v } else { nil } } }))
        case .bytes:
            binds.append(PostgresNullableArray(elements: try values.map { try cell($0, type) { if case .bytes(let v) = $0 { ByteBuffer(bytes: v) } else { nil } } }))
        }
        return PostgresEntityDDL.columnType(type) + "[]"
    }

    /// Appends the write times of one field column (NULL where the field was never written).
    static func bindTimes(_ values: [TimedValue?], into binds: inout PostgresBindings) {
        binds.append(PostgresNullableArray(elements: values.map { $0?.time.microseconds }))
    }

    /// The cell of `timed`: nil for an unwritten field or `.null`; a value of another type than
    /// the column's is refused (validation lets none through).
    private static func cell<Value>(_ timed: TimedValue?, _ type: FieldType, _ extract: (FieldValue) -> Value?) throws(StoreError) -> Value? {
        guard let value = timed?.value, value != .null else { return nil }
        guard let cell = extract(value) else {
            throw StoreError(.invalidInput, "a \(value) value cannot be stored in a \(type) column")
        }
        return cell
    }
}
