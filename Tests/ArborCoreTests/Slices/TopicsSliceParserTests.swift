import ArborCore
import Testing

@Suite("Topics slice parser")
struct TopicsSliceParserTests {
    static let allFive = ["T1", "T2", "T3", "T4", "T5"]

    /// Every subset of T1...T5.
    static let subsetsOfFive: [Set<String>] = (0..<32).map { bits in
        Set(allFive.enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element))
    }

    @Test("the guide's example (T2+T3*(T4+T5))*!T1 has the left-to-right shape")
    func guideExampleShape() throws {
        let slice = try TopicsSlice(parsing: "(T2+T3*(T4+T5))*!T1")
        #expect(slice == .and(.and(.or(.topic("T2"), .topic("T3")), .or(.topic("T4"), .topic("T5"))), .not("T1")))
    }

    @Test("the guide's example selects what the guide says", arguments: subsetsOfFive)
    func guideExampleSelection(topics: Set<String>) throws {
        let slice = try TopicsSlice(parsing: "(T2+T3*(T4+T5))*!T1")
        // §2.1.1.2: "don't contain the topic T1 but contain T2 or T3 and (T4 or T5)".
        let guide = !topics.contains("T1") && (topics.contains("T2") || topics.contains("T3"))
            && (topics.contains("T4") || topics.contains("T5"))
        #expect(slice.selects(topics: topics, updateTime: .zero, mode: .steadyState) == guide, "topics \(topics.sorted())")
    }

    @Test("operators apply left to right: T2+T3*T4 is (T2+T3)*T4")
    func leftToRight() throws {
        let flat = try TopicsSlice(parsing: "T2+T3*T4")
        let grouped = try TopicsSlice(parsing: "T2+(T3*T4)")
        #expect(flat == .and(.or(.topic("T2"), .topic("T3")), .topic("T4")))
        #expect(flat == (try TopicsSlice(parsing: "(T2+T3)*T4")))
        #expect(grouped == .or(.topic("T2"), .and(.topic("T3"), .topic("T4"))))
        let onlyT2: Set<String> = ["T2"]
        #expect(!flat.selects(topics: onlyT2, updateTime: .zero, mode: .steadyState))
        #expect(grouped.selects(topics: onlyT2, updateTime: .zero, mode: .steadyState))
        #expect(try TopicsSlice(parsing: "T1*T2+T3") == .or(.and(.topic("T1"), .topic("T2")), .topic("T3")))
    }

    @Test("blanks and tabs between tokens are ignored")
    func blanks() throws {
        let spaced = try TopicsSlice(parsing: " \t( T1 +\tT2 ) * ! T3 *  TimeWindow60 \t")
        #expect(spaced == (try TopicsSlice(parsing: "(T1+T2)*!T3*TimeWindow60")))
    }

    @Test("'!' may be the first operand, inside parentheses, or after '+'")
    func negationPositions() throws {
        #expect(try TopicsSlice(parsing: "!T1*T2") == .and(.not("T1"), .topic("T2")))
        #expect(try TopicsSlice(parsing: "T2*(!T1)") == .and(.topic("T2"), .not("T1")))
        #expect(try TopicsSlice(parsing: "T2*(!T1+T3)") == .and(.topic("T2"), .or(.not("T1"), .topic("T3"))))
        #expect(try TopicsSlice(parsing: "T1+!T2") == .or(.topic("T1"), .not("T2")))
        let alone = try TopicsSlice(parsing: "!arbor.notson.x")
        #expect(alone == .not("arbor.notson.x"))
        #expect(alone.selects(topics: [], updateTime: .zero, mode: .steadyState))
        #expect(alone.selects(topics: ["A", "B"], updateTime: .zero, mode: .steadyState))
        #expect(!alone.selects(topics: ["A", "arbor.notson.x"], updateTime: .zero, mode: .steadyState))
    }

    @Test("topics may use any allowed character, including TimeWindow look-alikes")
    func topicCharacters() throws {
        #expect(try TopicsSlice(parsing: "T[1]+é.漢/x") == .or(.topic("T[1]"), .topic("é.漢/x")))
        #expect(try TopicsSlice(parsing: "TimeWindowX*TimeWindow") == .and(.topic("TimeWindowX"), .topic("TimeWindow")))
        #expect(try TopicsSlice(parsing: "!TimeWindowX") == .not("TimeWindowX"))
    }

    @Test("the guide's time-window example parses left to right")
    func guideWindowExampleShape() throws {
        let slice = try TopicsSlice(parsing: "(T1+T2)*TimeWindow3600+(T3*TimeWindow120)")
        let expected: TopicsSlice = .or(
            .and(.or(.topic("T1"), .topic("T2")), .timeWindow(.relative(seconds: 3600))),
            .and(.topic("T3"), .timeWindow(.relative(seconds: 120))))
        #expect(slice == expected)
    }

    @Test("relative windows: leading zeros, zero, and the largest safe value")
    func relativeWindows() throws {
        #expect(try TopicsSlice(parsing: "TimeWindow007") == .timeWindow(.relative(seconds: 7)))
        #expect(try TopicsSlice(parsing: "TimeWindow0") == .timeWindow(.relative(seconds: 0)))
        let largest = Int64.max / 1_000_000
        #expect(try TopicsSlice(parsing: "TimeWindow\(largest)") == .timeWindow(.relative(seconds: largest)))
        #expect(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "TimeWindow\(largest + 1)") }
    }

    @Test("TimeWindow[31/12/2005 14:59:00] is that exact UTC microsecond")
    func guideAbsoluteWindow() throws {
        let slice = try TopicsSlice(parsing: "TimeWindow[31/12/2005 14:59:00]")
        #expect(slice == .timeWindow(.absolute(HybridTimestamp(microseconds: 1_136_041_140_000_000))))
    }

    @Test(
        "absolute windows convert by pure UTC arithmetic",
        arguments: [
            ("01/01/1970 00:00:00", Int64(0)),
            ("31/12/1969 23:59:59", -1),
            ("29/02/2000 12:00:00", 951_825_600),
            ("1/2/2024 3:04:05", 1_706_756_645),
            ("  01/03/2100\t00:00:00 ", 4_107_542_400),
            ("01/03/1900 00:00:00", -2_203_891_200),
            ("01/01/0001 00:00:00", -62_135_596_800),
            ("31/12/9999 23:59:59", 253_402_300_799),
        ])
    func absoluteWindows(text: String, seconds: Int64) throws {
        let slice = try TopicsSlice(parsing: "TimeWindow[\(text)]")
        #expect(slice == .timeWindow(.absolute(HybridTimestamp(microseconds: seconds * 1_000_000))))
    }

    @Test("29 February only in leap years")
    func leapYears() throws {
        for year in [1600, 2000, 2004, 2024, 2400] {
            #expect(throws: Never.self) { try TopicsSlice(parsing: "TimeWindow[29/02/\(year) 00:00:00]") }
        }
        for year in [1700, 1900, 2005, 2100, 2023] {
            #expect(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: "TimeWindow[29/02/\(year) 00:00:00]") }
        }
    }

    @Test("nesting and size limits: at the limit parses, beyond it is an error")
    func limits() throws {
        let depth = TopicsSlice.maximumNesting
        let nested = String(repeating: "(", count: depth) + "T1" + String(repeating: ")", count: depth)
        #expect(try TopicsSlice(parsing: nested) == .topic("T1"))
        let tooDeep = "(" + nested + ")"
        let deepError = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: tooDeep) }
        #expect(deepError.kind == .tooComplex)

        let count = TopicsSlice.maximumOperands
        let wide = (0..<count).map { "T\($0)" }.joined(separator: "+")
        let slice = try TopicsSlice(parsing: wide)
        #expect(slice.mentionedTopics.count == count)
        #expect(slice.selects(topics: ["T\(count - 1)"], updateTime: .zero, mode: .steadyState))
        #expect(slice.formatted == wide)
        let wideError = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: wide + "*X") }
        #expect(wideError.kind == .tooComplex)
        #expect(wideError.offset == wide.count + 1)
    }

    @Test("a slice longer than maximumLength is tooComplex before any token is read (issue 11 item 6)")
    func lengthLimit() throws {
        let long = String(repeating: "T", count: TopicsSlice.maximumLength + 1)
        let error = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: long) }
        #expect(error.kind == .tooComplex)
        #expect(error.message.contains("\(TopicsSlice.maximumLength)"))
        #expect(error.description.count < 400)
        let atLimit = String(repeating: "T", count: TopicsSlice.maximumLength)
        #expect(try TopicsSlice(parsing: atLimit) == .topic(atLimit))
    }

    @Test("the 4,096-operand slice of issue 11 item 6 is refused with SliceSyntax tooComplex")
    func issueSliceRefused() throws {
        let wide = (0..<4096).map { "T\($0)" }.joined(separator: "+")
        let error = try #require(throws: SliceSyntaxError.self) { try TopicsSlice(parsing: wide) }
        #expect(error.kind == .tooComplex)
        #expect(TopicsSlice.maximumOperands <= 256)
        #expect(TopicsSlice.maximumNesting <= 32)
    }
}
