import Foundation

extension DeltaBufferJSON {
    /// The JSON strings standing for the doubles JSON numbers cannot express.
    static let nonFiniteNames: [(name: String, value: Double)] = [("NaN", .nan), ("Infinity", .infinity), ("-Infinity", -.infinity)]

    /// The typed value of `scalar` for `field`, or an error naming the field and the expected
    /// JSON form (never the value itself).
    static func fieldValue(_ scalar: WireScalar, for field: FieldDefinition, context: String) throws(DeltaCodecError) -> FieldValue {
        func mismatch(_ expected: String) -> DeltaCodecError {
            .invalidAgainstSchema("\(context): field '\(field.name)' of type \(field.type.rawValue) expects \(expected)")
        }
        switch (field.type, scalar) {
        case (_, .null):
            guard field.nullable else { throw .invalidAgainstSchema(.nullNotAllowed(field: field.name), context: context) }
            return .null
        case (.uuid, .string(let text)):
            guard let id = UUID(uuidString: text) else { throw mismatch("a UUID string") }
            return .uuid(id)
        case (.text, .string(let text)):
            return .text(text)
        case (.json, .string(let text)):
            return .json(text)
        case (.int, .number(_, let integer)):
            guard let integer, let number = Int32(exactly: integer) else { throw mismatch("an integer in the 32-bit range") }
            return .int(number)
        case (.bigint, .number(_, let integer)):
            guard let integer else { throw mismatch("an integer in the 64-bit range") }
            return .bigint(integer)
        case (.timestamp, .number(_, let integer)):
            guard let integer else { throw mismatch("integer microseconds since 1970 in the 64-bit range") }
            return .timestamp(integer)
        case (.double, .number(let number, _)):
            return .double(number)
        case (.double, .string(let text)):
            guard let special = nonFiniteNames.first(where: { $0.name == text }) else { throw mismatch("a number, \"NaN\", \"Infinity\" or \"-Infinity\"") }
            return .double(special.value)
        case (.bool, .bool(let flag)):
            return .bool(flag)
        case (.bytes, .string(let text)):
            guard let data = Data(base64Encoded: text) else { throw mismatch("a base64 string") }
            return .bytes(data)
        default:
            throw mismatch(expectedForm(of: field.type))
        }
    }

    private static func expectedForm(of type: FieldType) -> String {
        switch type {
        case .uuid: return "a UUID string"
        case .text, .json: return "a string"
        case .int, .bigint: return "an integer"
        case .timestamp: return "integer microseconds since 1970"
        case .double: return "a number"
        case .bool: return "true or false"
        case .bytes: return "a base64 string"
        }
    }
}
