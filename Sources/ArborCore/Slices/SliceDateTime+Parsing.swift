extension SliceDateTime {
    /// The expected form, quoted in every date error.
    static let expectedForm = "expected TimeWindow[dd/mm/yyyy hh:mm:ss] (UTC), for example TimeWindow[31/12/2005 14:59:00]"

    /// Parses the text between the brackets of `TimeWindow[...]`: `characters[start..<end]`.
    ///
    /// Day, month, hour, minute and second take one or two digits, the year exactly four;
    /// blanks may surround the value and must separate date from time. Offsets in errors are
    /// offsets in the whole slice `text`.
    static func parse(
        _ characters: [Character], from start: Int, to end: Int, text: String
    ) throws(SliceSyntaxError) -> SliceDateTime {
        var cursor = DateCursor(characters: characters, position: start, end: end, text: text)
        cursor.skipBlanks()
        let day = try cursor.number("day", digits: 1...2)
        try cursor.expect("/", after: "day")
        let month = try cursor.number("month", digits: 1...2)
        try cursor.expect("/", after: "month")
        let year = try cursor.number("year", digits: 4...4)
        guard cursor.skipBlanks() else { throw cursor.error("expected a blank between date and time") }
        let hour = try cursor.number("hour", digits: 1...2)
        try cursor.expect(":", after: "hour")
        let minute = try cursor.number("minute", digits: 1...2)
        try cursor.expect(":", after: "minute")
        let second = try cursor.number("second", digits: 1...2)
        cursor.skipBlanks()
        guard cursor.position == end else { throw cursor.error("unexpected text after the seconds") }

        try cursor.check(month.value, in: 1...12, "month", at: month.offset)
        try cursor.check(year.value, in: years, "year", at: year.offset)
        let days = daysIn(month: month.value, year: year.value)
        try cursor.check(day.value, in: 1...days, "day", at: day.offset, note: " for \(pad2(month.value))/\(year.value)")
        try cursor.check(hour.value, in: 0...23, "hour", at: hour.offset)
        try cursor.check(minute.value, in: 0...59, "minute", at: minute.offset)
        try cursor.check(second.value, in: 0...59, "second", at: second.offset)
        return SliceDateTime(
            day: day.value, month: month.value, year: year.value,
            hour: hour.value, minute: minute.value, second: second.value)
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// A read position inside the brackets of an absolute time window.
private struct DateCursor {
    let characters: [Character]
    var position: Int
    let end: Int
    let text: String

    /// Skips blanks; returns whether there were any.
    @discardableResult
    mutating func skipBlanks() -> Bool {
        let before = position
        while position < end, characters[position] == " " || characters[position] == "\t" { position += 1 }
        return position > before
    }

    mutating func number(_ field: String, digits: ClosedRange<Int>) throws(SliceSyntaxError) -> (value: Int, offset: Int) {
        let start = position
        var value = 0
        while position < end, position - start < digits.upperBound, characters[position].isASCIIDigit,
            let digit = characters[position].wholeNumberValue
        {
            value = value * 10 + digit
            position += 1
        }
        let count = position - start
        guard digits.contains(count), position >= end || !characters[position].isASCIIDigit else {
            let width = digits.lowerBound == digits.upperBound ? "\(digits.lowerBound)" : "\(digits.lowerBound)-\(digits.upperBound)"
            throw error("expected the \(field) as \(width) digits", at: start)
        }
        return (value, start)
    }

    mutating func expect(_ separator: Character, after field: String) throws(SliceSyntaxError) {
        guard position < end, characters[position] == separator else {
            throw error("expected '\(separator)' after the \(field)")
        }
        position += 1
    }

    func check(
        _ value: Int, in range: ClosedRange<Int>, _ field: String, at offset: Int, note: String = ""
    ) throws(SliceSyntaxError) {
        guard range.contains(value) else {
            throw error("\(field) \(value) is out of range \(range.lowerBound)-\(range.upperBound)\(note)", at: offset)
        }
    }

    func error(_ problem: String, at offset: Int? = nil) -> SliceSyntaxError {
        SliceSyntaxError(
            kind: .badTimeWindow, offset: offset ?? position,
            message: "bad time window: \(problem); \(SliceDateTime.expectedForm)", text: text)
    }
}
