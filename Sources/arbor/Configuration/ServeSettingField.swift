import ArborServer
import Foundation

/// The type of one setting and the property it sets: how the JSON file and its environment
/// variable are read for it.
enum ServeSettingField: Sendable {
    case text(WritableKeyPath<ServeConfiguration, String> & Sendable)
    /// A text that may be absent: JSON null (or an empty string) and an empty variable mean none.
    case optionalText(WritableKeyPath<ServeConfiguration, String?> & Sendable)
    case integer(WritableKeyPath<ServeConfiguration, Int> & Sendable)
    /// A whole number that may be absent: JSON null and an empty variable mean the default.
    case optionalInteger(WritableKeyPath<ServeConfiguration, Int?> & Sendable)
    case integer64(WritableKeyPath<ServeConfiguration, Int64> & Sendable)
    case number(WritableKeyPath<ServeConfiguration, Double> & Sendable)
    case boolean(WritableKeyPath<ServeConfiguration, Bool> & Sendable)
    /// A JSON array of strings in the file; comma-separated in the environment.
    case list(WritableKeyPath<ServeConfiguration, [String]> & Sendable)

    /// What the JSON file must give, in words.
    var expectedJSON: String {
        switch self {
        case .text: "a JSON string"
        case .optionalText: "a JSON string (or null for none)"
        case .integer, .integer64: "a whole number (a JSON number, without quotes)"
        case .optionalInteger: "a whole number (a JSON number, without quotes; null for the default)"
        case .number: "a number (a JSON number, without quotes)"
        case .boolean: "true or false (a JSON boolean, without quotes)"
        case .list: "a JSON array of strings"
        }
    }

    /// Sets the property from the file's value at `key`; throws the decoder's error when the
    /// JSON type is not the setting's (a number in quotes, a comma-separated string for a
    /// list, a fraction or a number out of range for a whole number).
    func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, key: Key, into configuration: inout ServeConfiguration) throws {
        switch self {
        case .text(let path): configuration[keyPath: path] = try container.decode(String.self, forKey: key)
        case .optionalText(let path): configuration[keyPath: path] = try container.decodeIfPresent(String.self, forKey: key).flatMap { $0.isEmpty ? nil : $0 }
        case .integer(let path): configuration[keyPath: path] = try container.decode(Int.self, forKey: key)
        case .optionalInteger(let path): configuration[keyPath: path] = try container.decodeIfPresent(Int.self, forKey: key)
        case .integer64(let path): configuration[keyPath: path] = try container.decode(Int64.self, forKey: key)
        case .number(let path): configuration[keyPath: path] = try container.decode(Double.self, forKey: key)
        case .boolean(let path): configuration[keyPath: path] = try container.decode(Bool.self, forKey: key)
        case .list(let path): configuration[keyPath: path] = try container.decode([String].self, forKey: key)
        }
    }

    /// Sets the property from an environment variable's text; `source` names the variable in
    /// the refusal.
    func apply(text: String, source: String, to configuration: inout ServeConfiguration) throws(ServeConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch self {
        case .text(let path): configuration[keyPath: path] = text
        case .optionalText(let path): configuration[keyPath: path] = text.isEmpty ? nil : text
        case .integer(let path): configuration[keyPath: path] = try Self.whole(trimmed, source: source)
        case .optionalInteger(let path): configuration[keyPath: path] = trimmed.isEmpty ? nil : try Self.whole(trimmed, source: source)
        case .integer64(let path): configuration[keyPath: path] = try Self.whole(trimmed, source: source)
        case .number(let path):
            guard let number = Double(trimmed), number.isFinite else { throw ServeConfigurationError("\(source) must be a number, got '\(text)'") }
            configuration[keyPath: path] = number
        case .boolean(let path):
            switch trimmed.lowercased() {
            case "true", "yes", "1": configuration[keyPath: path] = true
            case "false", "no", "0": configuration[keyPath: path] = false
            default: throw ServeConfigurationError("\(source) must be true or false, got '\(text)'")
            }
        case .list(let path): configuration[keyPath: path] = Self.list(text)
        }
    }

    /// A comma-separated list (environment, flags), blanks around items and empty items dropped.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func whole<T: FixedWidthInteger>(_ text: String, source: String) throws(ServeConfigurationError) -> T {
        guard let number = T(text) else { throw ServeConfigurationError("\(source) must be a whole number, got '\(text)'") }
        return number
    }
}
