/// One lexical element of a topics slice, with the character offset where it starts.
struct SliceToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case or, and, not, open, close, end
        case topic(String)
        case window(TimeWindow)
    }

    var kind: Kind
    var offset: Int

    /// How the token is named in error messages.
    var quoted: String {
        switch kind {
        case .or: return "'+'"
        case .and: return "'*'"
        case .not: return "'!'"
        case .open: return "'('"
        case .close: return "')'"
        case .end: return "the end of the slice"
        case .topic(let name): return "topic '\(name)'"
        case .window: return "a time window"
        }
    }
}

/// Splits slice text into tokens on demand, so errors are reported in reading order.
///
/// A word is a maximal run of characters that ``Topic/isAllowed(_:)`` accepts. A word that
/// starts with `TimeWindow` followed by a digit or `[` is a time window; any other word is a topic.
struct SliceTokenizer {
    /// The largest relative window whose microsecond value still fits in `Int64`.
    static let maximumWindowSeconds = Int64.max / 1_000_000
    static let windowPrefix = Array("TimeWindow")

    let characters: [Character]
    let text: String
    private(set) var position = 0

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func next() throws(SliceSyntaxError) -> SliceToken {
        while position < characters.count, characters[position] == " " || characters[position] == "\t" {
            position += 1
        }
        let start = position
        guard start < characters.count else { return SliceToken(kind: .end, offset: start) }
        let character = characters[start]
        let single: SliceToken.Kind? =
            switch character {
            case "+": .or
            case "*": .and
            case "!": .not
            case "(": .open
            case ")": .close
            default: nil
            }
        if let single {
            position += 1
            return SliceToken(kind: single, offset: start)
        }
        guard Topic.isAllowed(character) else { throw unexpected(character, at: start) }
        while position < characters.count, Topic.isAllowed(characters[position]) { position += 1 }
        return SliceToken(kind: try word(from: start), offset: start)
    }

    /// Classifies the word `characters[start..<position]`, reading a bracketed window to its `]`.
    private mutating func word(from start: Int) throws(SliceSyntaxError) -> SliceToken.Kind {
        let prefixEnd = start + Self.windowPrefix.count
        let isWindow = position > prefixEnd && Array(characters[start..<prefixEnd]) == Self.windowPrefix
        if isWindow, characters[prefixEnd] == "[" {
            return .window(try absoluteWindow(start: start, bracket: prefixEnd))
        }
        if isWindow, characters[prefixEnd].isASCIIDigit {
            return .window(try relativeWindow(start: start, digitsFrom: prefixEnd))
        }
        let name = String(characters[start..<position])
        do {
            try Topic.validate(name)
        } catch {
            throw SliceSyntaxError(kind: .unexpectedCharacter, offset: start, message: error.description, text: text)
        }
        return .topic(name)
    }

    private func relativeWindow(start: Int, digitsFrom first: Int) throws(SliceSyntaxError) -> TimeWindow {
        var seconds: Int64 = 0
        for index in first..<position {
            guard characters[index].isASCIIDigit, let digit = characters[index].wholeNumberValue else {
                let word = String(characters[start..<position])
                throw SliceSyntaxError(
                    kind: .badTimeWindow, offset: index,
                    message: "bad time window '\(word)': TimeWindow must be followed by whole seconds only, "
                        + "for example TimeWindow3600", text: text)
            }
            let (times10, overflow) = seconds.multipliedReportingOverflow(by: 10)
            seconds = times10 &+ Int64(digit)
            if overflow || seconds > Self.maximumWindowSeconds {
                throw SliceSyntaxError(
                    kind: .badTimeWindow, offset: first,
                    message: "bad time window: \(String(characters[first..<position])) seconds is too long; "
                        + "the maximum is \(Self.maximumWindowSeconds)", text: text)
            }
        }
        return .relative(seconds: seconds)
    }

    private mutating func absoluteWindow(start: Int, bracket: Int) throws(SliceSyntaxError) -> TimeWindow {
        guard let close = characters[(bracket + 1)...].firstIndex(of: "]") else {
            throw SliceSyntaxError(
                kind: .badTimeWindow, offset: characters.count,
                message: "missing ']' to close the time window at offset \(start)", text: text)
        }
        let time = try SliceDateTime.parse(characters, from: bracket + 1, to: close, text: text)
        position = close + 1
        if position < characters.count, Topic.isAllowed(characters[position]) {
            var end = position
            while end < characters.count, Topic.isAllowed(characters[end]) { end += 1 }
            throw SliceSyntaxError(
                kind: .trailingText, offset: position,
                message: "unexpected text '\(String(characters[position..<end]))' right after the time window; "
                    + "put '+' or '*' between operands", text: text)
        }
        return .absolute(HybridTimestamp(microseconds: time.secondsSinceEpoch * 1_000_000))
    }

    private func unexpected(_ character: Character, at offset: Int) -> SliceSyntaxError {
        let message: String
        switch character {
        case "#":
            message = "'#' cannot appear in a slice: write the topic without its '#' prefix"
        case ",":
            message = "',' cannot appear in a slice: combine topics with '+' (or) or '*' (and)"
        default:
            message = "unexpected character '\(character.debugDescriptionScalar)'; a slice holds topics, "
                + "'+', '*', '!', parentheses, blanks and time windows"
        }
        return SliceSyntaxError(kind: .unexpectedCharacter, offset: offset, message: message, text: text)
    }
}
