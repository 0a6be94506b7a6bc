import ArborServer
import Foundation

/// Decodes a JSON configuration file (site configuration, permits) into its top-level object,
/// with a reason when it is not one: where the parser stopped ("at line 3, column 7"), or what
/// the top level is instead of an object.
enum JSONObjectText {
    static func object(_ data: Data, named name: String) throws(ServeConfigurationError) -> [String: Any] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ServeConfigurationError("\(name) is not valid JSON: \(reason(error, in: data))")
        }
        guard let object = value as? [String: Any] else {
            throw ServeConfigurationError("\(name) is not a JSON object: its top level must be { \"key\": value, … }")
        }
        return object
    }

    /// The parser's explanation, with the line and column of the offset it names ("around
    /// character 27"), which says more in a file edited by hand.
    private static func reason(_ error: Error, in data: Data) -> String {
        let description = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "it cannot be parsed"
        guard let range = description.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(description[range].dropFirst("character ".count)), offset <= data.count
        else { return description }
        let before = data.prefix(offset)
        let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex
        let column = offset - (lineStart - data.startIndex) + 1
        let said = description.trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return "\(said), at line \(line), column \(column)"
    }
}
