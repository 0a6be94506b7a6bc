/// A topics list or topic value that cannot be accepted.
public enum TopicsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A topic between two commas is empty (",A,,B,").
    case emptyTopic
    /// A topic contains a character that topics may not contain.
    case illegalCharacter(topic: String, character: Character, offset: Int)
    /// A topic has the form of a time window (`TimeWindow60`), which a slice could never select.
    case reservedName(String)
    /// A topics list does not start and end with a comma.
    case missingDelimiters(String)

    public var description: String {
        switch self {
        case .emptyTopic:
            return "empty topic in topics list: remove the doubled comma"
        case .illegalCharacter(let topic, let character, let offset):
            return "topic '\(topic)' contains illegal character '\(character.debugDescriptionScalar)' at offset \(offset); "
                + "topics may not contain * + ! ( ) , # or blanks"
        case .reservedName(let topic):
            return "topic '\(topic)' has the form of a time window and cannot be used as a topic"
        case .missingDelimiters(let text):
            return "topics list '\(text)' must start and end with a comma, for example ',A1,A2,'"
        }
    }
}

extension Character {
    var debugDescriptionScalar: String {
        unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 ? "U+\(String($0.value, radix: 16, uppercase: true))" : String($0) }.joined()
    }
}
