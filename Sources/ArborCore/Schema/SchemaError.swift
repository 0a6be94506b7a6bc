/// A distribution schema, or a value checked against it, that cannot be accepted.
public enum SchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidSchemaName(String)
    case noClasses
    case invalidIdentifier(String, kind: String)
    case reservedFieldName(String, in: String)
    case duplicateName(String, in: String)
    case unknownClass(String, schema: String)
    case unknownField(String, in: String)
    case unknownCollection(String, in: String)
    case typeMismatch(field: String, expected: FieldType, found: String)
    case nullNotAllowed(field: String)
    case nulCharacter(field: String)
    case malformedFile(String)

    public var description: String {
        switch self {
        case .invalidSchemaName(let name):
            return "schema name '\(name)' is invalid: use 1-64 letters, digits, '-', '_' or '.', and include a version (e.g. 'retail-v1')"
        case .noClasses:
            return "the schema declares no entity classes"
        case .invalidIdentifier(let name, let kind):
            return "\(kind) name '\(name)' is invalid: start with an ASCII letter or '_', then letters, digits or '_' (at most 63)"
        case .reservedFieldName(let name, let owner):
            return "field '\(name)' in '\(owner)' uses a reserved header name (techId, topics, updateTime, inCache, deleted, parentId)"
        case .duplicateName(let name, let owner):
            return "name '\(name)' appears twice in '\(owner)' (names are compared ignoring case)"
        case .unknownClass(let name, let schema):
            return "class '\(name)' is not in schema '\(schema)'"
        case .unknownField(let name, let owner):
            return "field '\(name)' is not declared in '\(owner)'"
        case .unknownCollection(let name, let owner):
            return "collection '\(name)' is not declared in '\(owner)'"
        case .typeMismatch(let field, let expected, let found):
            return "field '\(field)' expects a value of type \(expected.rawValue), got \(found)"
        case .nullNotAllowed(let field):
            return "field '\(field)' is not nullable"
        case .nulCharacter(let field):
            return "field '\(field)' holds a NUL character, which text and json values may not contain"
        case .malformedFile(let detail):
            return "schema file is malformed: \(detail)"
        }
    }
}
