/// Validation of single topic values (§2.1.1.1).
///
/// A topic is a non-empty string without `*`, `+`, `!`, `(`, `)`, `,`, `#` or blanks.
/// In a topics list a topic may carry one leading `#`: the delta server reads `#X` as `X`
/// and the cache server ignores it (used for the site topics that prevent loop-back).
public enum Topic {
    /// Characters that may never appear inside a topic value.
    public static let forbiddenCharacters: Set<Character> = ["*", "+", "!", "(", ")", ",", "#"]

    /// Whether `character` may appear in a topic value.
    @inlinable
    public static func isAllowed(_ character: Character) -> Bool {
        !forbiddenCharacters.contains(character) && !character.isWhitespace && !character.isNewline
            && !(character.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false)
    }

    /// Checks a bare topic value (no `#` prefix) and throws a ``TopicsError`` naming the problem.
    public static func validate(_ value: String) throws(TopicsError) {
        guard !value.isEmpty else { throw .emptyTopic }
        if isPlainASCII(value) { return }
        for (offset, character) in value.enumerated() where !isAllowed(character) {
            throw .illegalCharacter(topic: value, character: character, offset: offset)
        }
        if isReservedTimeWindowName(value) { throw .reservedName(value) }
    }

    /// Whether `value` is printable ASCII without a forbidden character and is no reserved name:
    /// the common case, decided on its bytes without breaking it into characters (a large part
    /// of decoding a buffer). Anything else goes through the character rules.
    static func isPlainASCII(_ value: String) -> Bool {
        for byte in value.utf8 {
            // Printable ASCII is 0x21...0x7E (0x20 is a blank); forbidden: ! # ( ) * + ,
            guard byte > 0x20, byte < 0x7F else { return false }
            switch byte {
            case 0x21, 0x23, 0x28, 0x29, 0x2A, 0x2B, 0x2C: return false
            default: continue
            }
        }
        return !isReservedTimeWindowName(value)
    }

    /// `TimeWindow` followed by a digit or `[` reads as a time window in a slice, so they cannot be topics.
    static func isReservedTimeWindowName(_ value: String) -> Bool {
        guard value.hasPrefix("TimeWindow") else { return false }
        let rest = value.dropFirst("TimeWindow".count)
        return rest.first == "[" || (rest.first?.isASCIIDigit ?? false)
    }
}

extension Character {
    @usableFromInline
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
