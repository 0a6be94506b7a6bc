import Foundation

/// An oracle for slice evaluation that reads slice TEXT character by character, without the
/// parser or the AST: operands are combined strictly left to right as they are read.
///
/// Dates are converted with Foundation's Gregorian calendar in UTC, independently of the
/// arithmetic in ArborCore. Returns `nil` for text it cannot read (the tests only feed it
/// well-formed slices, so `nil` is a failure).
struct ReferenceSliceEvaluator {
    private let characters: [Character]
    private var position = 0
    private let topics: Set<String>
    private let updateTime: Int64
    /// `nil` in steady state (windows satisfied), the load time otherwise.
    private let now: Int64?

    static func evaluate(_ text: String, topics: Set<String>, updateTime: Int64, now: Int64?) -> Bool? {
        var evaluator = ReferenceSliceEvaluator(characters: Array(text), topics: topics, updateTime: updateTime, now: now)
        guard let value = evaluator.sequence() else { return nil }
        evaluator.skipBlanks()
        return evaluator.position == evaluator.characters.count ? value : nil
    }

    private init(characters: [Character], topics: Set<String>, updateTime: Int64, now: Int64?) {
        self.characters = characters
        self.topics = topics
        self.updateTime = updateTime
        self.now = now
    }

    private mutating func sequence() -> Bool? {
        guard var value = operand() else { return nil }
        while true {
            skipBlanks()
            guard position < characters.count, characters[position] == "+" || characters[position] == "*" else {
                return value
            }
            let isOr = characters[position] == "+"
            position += 1
            guard let rhs = operand() else { return nil }
            value = isOr ? (value || rhs) : (value && rhs)
        }
    }

    private mutating func operand() -> Bool? {
        skipBlanks()
        guard position < characters.count else { return nil }
        switch characters[position] {
        case "(":
            position += 1
            let value = sequence()
            skipBlanks()
            guard position < characters.count, characters[position] == ")" else { return nil }
            position += 1
            return value
        case "!":
            position += 1
            skipBlanks()
            let name = word()
            return name.isEmpty ? nil : !topics.contains(name)
        default:
            let name = word()
            if name.hasPrefix("TimeWindow[") { return absoluteWindow(name) }
            let digits = name.dropFirst("TimeWindow".count)
            if name.hasPrefix("TimeWindow"), !digits.isEmpty, digits.allSatisfy(\.isNumber), let seconds = Int64(digits) {
                guard let now else { return true }
                return now - seconds * 1_000_000 <= updateTime && updateTime <= now
            }
            return name.isEmpty ? nil : topics.contains(name)
        }
    }

    /// A topic name, or a whole `TimeWindow[...]` including its brackets and blanks.
    private mutating func word() -> String {
        let start = position
        let stops: Set<Character> = [" ", "\t", "+", "*", "!", "(", ")"]
        while position < characters.count, !stops.contains(characters[position]) {
            if String(characters[start..<position]) == "TimeWindow", characters[position] == "[" {
                while position < characters.count, characters[position] != "]" { position += 1 }
            }
            position += 1
        }
        return String(characters[start..<min(position, characters.count)])
    }

    private func absoluteWindow(_ text: String) -> Bool? {
        let inside = text.dropFirst("TimeWindow[".count).dropLast()
        let numbers = inside.split(whereSeparator: { "/: \t".contains($0) }).compactMap { Int($0) }
        guard numbers.count == 6 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let components = DateComponents(
            year: numbers[2], month: numbers[1], day: numbers[0], hour: numbers[3], minute: numbers[4], second: numbers[5])
        guard let date = calendar.date(from: components) else { return nil }
        guard now != nil else { return true }
        return updateTime >= Int64(date.timeIntervalSince1970) * 1_000_000
    }

    private mutating func skipBlanks() {
        while position < characters.count, characters[position] == " " || characters[position] == "\t" { position += 1 }
    }
}
