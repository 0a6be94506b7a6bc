import Foundation

/// The value of one field, typed as the schema declares it.
public enum FieldValue: Hashable, Sendable {
    case null
    case uuid(UUID)
    case text(String)
    case int(Int32)
    case bigint(Int64)
    case double(Double)
    case bool(Bool)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    case bytes(Data)
    /// A JSON document, kept as its text.
    case json(String)

    /// The schema type of this value; nil for `.null`.
    public var type: FieldType? {
        switch self {
        case .null: return nil
        case .uuid: return .uuid
        case .text: return .text
        case .int: return .int
        case .bigint: return .bigint
        case .double: return .double
        case .bool: return .bool
        case .timestamp: return .timestamp
        case .bytes: return .bytes
        case .json: return .json
        }
    }

    /// Checks this value against `field`, throwing an error that names the field.
    public func check(against field: FieldDefinition) throws(SchemaError) {
        guard let type else {
            if !field.nullable { throw .nullNotAllowed(field: field.name) }
            return
        }
        if type != field.type { throw .typeMismatch(field: field.name, expected: field.type, found: type.rawValue) }
        switch self {
        case .text(let text), .json(let text):
            // PostgreSQL text cannot hold NUL, so no backend may accept it.
            if text.unicodeScalars.contains("\u{0}") { throw .nulCharacter(field: field.name) }
        default:
            break
        }
    }
}

/// A field value together with the time it was written (per-field last-writer-wins, DESIGN rule 6).
public struct TimedValue: Hashable, Sendable {
    public var value: FieldValue
    public var time: HybridTimestamp

    public init(_ value: FieldValue, at time: HybridTimestamp) {
        self.value = value
        self.time = time
    }
}
