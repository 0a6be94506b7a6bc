import ArborCore
import Testing

@Suite("Slice syntax errors")
struct SliceSyntaxErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var kind: SliceSyntaxError.Kind
        var offset: Int
        /// A word the message must contain, so the user is told what was wrong.
        var mentions: String
        var testDescription: String { "'\(text)' → \(kind) at \(offset)" }
    }

    static let cases: [Case] = [
        Case(text: "", kind: .emptySlice, offset: 0, mentions: "empty slice"),
        Case(text: " \t ", kind: .emptySlice, offset: 0, mentions: "empty slice"),
        Case(text: "T1,T2", kind: .unexpectedCharacter, offset: 2, mentions: "','"),
        Case(text: "#T1", kind: .unexpectedCharacter, offset: 0, mentions: "'#'"),
        Case(text: "T1+#T2", kind: .unexpectedCharacter, offset: 3, mentions: "prefix"),
        Case(text: "T1\nT2", kind: .unexpectedCharacter, offset: 2, mentions: "U+A"),
        Case(text: "T1+T2 ,", kind: .unexpectedCharacter, offset: 6, mentions: "','"),
        Case(text: "👍🏽+#x", kind: .unexpectedCharacter, offset: 2, mentions: "'#'"),
        Case(text: "T1+", kind: .missingOperand, offset: 3, mentions: "no right operand"),
        Case(text: "+T1", kind: .missingOperand, offset: 0, mentions: "no left operand"),
        Case(text: "T1+*T2", kind: .missingOperand, offset: 3, mentions: "'+' at offset 2"),
        Case(text: "T1*()", kind: .missingOperand, offset: 4, mentions: "empty parentheses"),
        Case(text: "(+T1)", kind: .missingOperand, offset: 1, mentions: "no left operand"),
        Case(text: "T1+)", kind: .missingOperand, offset: 3, mentions: "found ')'"),
        Case(text: "!(T1)", kind: .negationWithoutTopic, offset: 1, mentions: "found '('"),
        Case(text: "!!T1", kind: .negationWithoutTopic, offset: 1, mentions: "found '!'"),
        Case(text: "!TimeWindow5", kind: .negationWithoutTopic, offset: 1, mentions: "time window"),
        Case(text: "T1*!", kind: .negationWithoutTopic, offset: 4, mentions: "end of the slice"),
        Case(text: "T1*! ", kind: .negationWithoutTopic, offset: 5, mentions: "'!' at offset 3"),
        Case(text: "(T1+T2", kind: .unbalancedParentheses, offset: 6, mentions: "missing ')'"),
        Case(text: "((T1)", kind: .unbalancedParentheses, offset: 5, mentions: "'(' at offset 0"),
        Case(text: "(", kind: .unbalancedParentheses, offset: 1, mentions: "missing ')'"),
        Case(text: "T1)", kind: .unbalancedParentheses, offset: 2, mentions: "unmatched ')'"),
        Case(text: ")T1", kind: .unbalancedParentheses, offset: 0, mentions: "unmatched ')'"),
        Case(text: "(T1))", kind: .unbalancedParentheses, offset: 4, mentions: "unmatched ')'"),
        Case(text: "T1 T2", kind: .missingOperator, offset: 3, mentions: "topic 'T2'"),
        Case(text: "T1(T2)", kind: .missingOperator, offset: 2, mentions: "'('"),
        Case(text: "(T1)T2", kind: .missingOperator, offset: 4, mentions: "missing operator"),
        Case(text: "T1!T2", kind: .missingOperator, offset: 2, mentions: "'!'"),
        Case(text: "TimeWindow5 T1", kind: .missingOperator, offset: 12, mentions: "'+' (or)"),
        Case(text: "TimeWindow[31/02/2005 10:00:00]", kind: .badTimeWindow, offset: 11, mentions: "day 31"),
        Case(text: "TimeWindow[29/02/2005 10:00:00]", kind: .badTimeWindow, offset: 11, mentions: "02/2005"),
        Case(text: "TimeWindow[00/01/2005 10:00:00]", kind: .badTimeWindow, offset: 11, mentions: "day 0"),
        Case(text: "TimeWindow[01/13/2005 10:00:00]", kind: .badTimeWindow, offset: 14, mentions: "month 13"),
        Case(text: "TimeWindow[01/01/0000 10:00:00]", kind: .badTimeWindow, offset: 17, mentions: "year 0"),
        Case(text: "TimeWindow[01/01/2005 24:00:00]", kind: .badTimeWindow, offset: 22, mentions: "hour 24"),
        Case(text: "TimeWindow[01/01/2005 23:60:00]", kind: .badTimeWindow, offset: 25, mentions: "minute 60"),
        Case(text: "TimeWindow[01/01/2005 23:59:60]", kind: .badTimeWindow, offset: 28, mentions: "second 60"),
        Case(text: "TimeWindow[01/01/2005 10:00:00", kind: .badTimeWindow, offset: 30, mentions: "missing ']'"),
        Case(text: "TimeWindow[01-01-2005 10:00:00]", kind: .badTimeWindow, offset: 13, mentions: "'/'"),
        Case(text: "TimeWindow[01/01/05 10:00:00]", kind: .badTimeWindow, offset: 17, mentions: "4 digits"),
        Case(text: "TimeWindow[01/01/200510:00:00]", kind: .badTimeWindow, offset: 17, mentions: "year"),
        Case(text: "TimeWindow[01/01/2005]", kind: .badTimeWindow, offset: 21, mentions: "blank"),
        Case(text: "TimeWindow[]", kind: .badTimeWindow, offset: 11, mentions: "31/12/2005 14:59:00"),
        Case(text: "TimeWindow[1/1/2000 0:0:0 x]", kind: .badTimeWindow, offset: 26, mentions: "after the seconds"),
        Case(text: "TimeWindow[01/01/2005 1:2:3:4]", kind: .badTimeWindow, offset: 27, mentions: "after the seconds"),
        Case(text: "TimeWindow60s", kind: .badTimeWindow, offset: 12, mentions: "whole seconds"),
        Case(text: "TimeWindow99999999999999999999", kind: .badTimeWindow, offset: 10, mentions: "too long"),
        Case(text: "TimeWindow9223372036855", kind: .badTimeWindow, offset: 10, mentions: "9223372036854"),
        Case(text: "TimeWindow[01/01/2005 10:00:00]abc", kind: .trailingText, offset: 31, mentions: "'abc'"),
        Case(text: "T1*TimeWindow[01/01/2005 10:00:00]]", kind: .trailingText, offset: 34, mentions: "']'"),
    ]

    @Test("each malformed slice reports its class, offset and cause", arguments: cases)
    func reportsError(_ example: Case) throws {
        let error = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: example.text) }
        #expect(error.kind == example.kind, "\(error)")
        #expect(error.offset == example.offset, "\(error)")
        #expect(error.text == example.text)
        #expect(error.message.contains(example.mentions), "\(error)")
        #expect(error.offset <= example.text.count)
    }

    @Test("the description names offset, text and message")
    func description() throws {
        let error = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "(T1+T2") }
        #expect(error.description == "slice syntax error at offset 6 in '(T1+T2': missing ')' to close '(' at offset 0")
        #expect("\(error)" == error.description)
    }

    @Test("the first problem in reading order is the one reported")
    func firstProblemWins() throws {
        let error = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "T1 T2 + #X + TimeWindow[") }
        #expect(error.kind == .missingOperator)
        #expect(error.offset == 3)
    }

    @Test("errors compare by value")
    func equatable() throws {
        let first = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "T1+") }
        let second = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "T1+") }
        let other = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "T2+") }
        #expect(first == second)
        #expect(first != other)
        #expect(first.kind.description == "missingOperand")
    }
}
