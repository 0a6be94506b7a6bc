extension TopicsSlice: CustomStringConvertible {
    /// The canonical text of the slice; `TopicsSlice(parsing: slice.formatted)` gives `slice` back.
    ///
    /// Operators apply left to right, so a binary left operand needs no parentheses
    /// (`(a+b)*c` prints as `a+b*c`), while a binary right operand always gets them
    /// (`a*(b+c)`). No blanks are printed. Absolute windows print as
    /// `TimeWindow[dd/mm/yyyy hh:mm:ss]` in UTC, so only whole-second times in years 1-9999
    /// round-trip exactly: others are rounded down to the second and clamped to that range.
    /// Negative relative windows print as `TimeWindow-5`, which does not parse. The parser
    /// never produces either.
    public var formatted: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// The same as ``formatted``.
    public var description: String { formatted }

    private func write(to output: inout String) {
        switch self {
        case .topic(let name):
            output += name
        case .not(let name):
            output += "!" + name
        case .timeWindow(let window):
            output += window.formatted
        case .or(let lhs, let rhs):
            writeBinary(lhs, "+", rhs, to: &output)
        case .and(let lhs, let rhs):
            writeBinary(lhs, "*", rhs, to: &output)
        }
    }

    private func writeBinary(_ lhs: TopicsSlice, _ op: String, _ rhs: TopicsSlice, to output: inout String) {
        lhs.write(to: &output)
        output += op
        switch rhs {
        case .or, .and:
            output += "("
            rhs.write(to: &output)
            output += ")"
        case .topic, .not, .timeWindow:
            rhs.write(to: &output)
        }
    }
}

extension TimeWindow: CustomStringConvertible {
    /// `TimeWindow999` or `TimeWindow[dd/mm/yyyy hh:mm:ss]` (UTC, rounded down to the second).
    public var formatted: String {
        switch self {
        case .relative(let seconds):
            return "TimeWindow\(seconds)"
        case .absolute(let start):
            let (seconds, remainder) = start.microseconds.quotientAndRemainder(dividingBy: 1_000_000)
            let floored = remainder < 0 ? seconds - 1 : seconds
            return "TimeWindow[\(SliceDateTime(secondsSinceEpoch: floored).formatted)]"
        }
    }

    /// The same as ``formatted``.
    public var description: String { formatted }
}
