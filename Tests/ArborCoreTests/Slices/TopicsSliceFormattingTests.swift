import ArborCore
import ArborTesting
import Testing

@Suite("Topics slice formatting")
struct TopicsSliceFormattingTests {
    @Test(
        "parsed slices print in canonical form",
        arguments: [
            ("(T2+T3*(T4+T5))*!T1", "T2+T3*(T4+T5)*!T1"),
            (" T1 + ( T2 ) ", "T1+T2"),
            ("((T1))", "T1"),
            ("T1*(T2*T3)", "T1*(T2*T3)"),
            ("(T1*T2)*T3", "T1*T2*T3"),
            ("T1+(!T2)", "T1+!T2"),
            ("TimeWindow007", "TimeWindow7"),
            ("TimeWindow[1/2/2024 3:04:05]", "TimeWindow[01/02/2024 03:04:05]"),
            ("(T1+T2)*TimeWindow3600+(T3*TimeWindow120)", "T1+T2*TimeWindow3600+(T3*TimeWindow120)"),
        ])
    func canonical(text: String, expected: String) throws {
        let slice = try TopicsSlice(parsing: text)
        #expect(slice.formatted == expected)
        #expect(slice.description == expected)
        #expect(try TopicsSlice(parsing: expected) == slice)
    }

    @Test("right operands that are binary keep their parentheses")
    func rightOperandParentheses() {
        let slice: TopicsSlice = .or(.topic("A"), .and(.not("B"), .or(.topic("C"), .timeWindow(.relative(seconds: 1)))))
        #expect(slice.formatted == "A+(!B*(C+TimeWindow1))")
    }

    @Test(
        "absolute windows print in UTC, rounded down to the second and clamped to years 1-9999",
        arguments: [
            (Int64(0), "TimeWindow[01/01/1970 00:00:00]"),
            (-1, "TimeWindow[31/12/1969 23:59:59]"),
            (1_136_041_140_999_999, "TimeWindow[31/12/2005 14:59:00]"),
            (951_825_600_000_000, "TimeWindow[29/02/2000 12:00:00]"),
            (.max, "TimeWindow[31/12/9999 23:59:59]"),
            (.min, "TimeWindow[01/01/0001 00:00:00]"),
        ])
    func absoluteWindowText(micros: Int64, expected: String) {
        #expect(TimeWindow.absolute(HybridTimestamp(microseconds: micros)).formatted == expected)
        #expect(TimeWindow.absolute(HybridTimestamp(microseconds: micros)).description == expected)
    }

    @Test("any whole second in years 1-9999 prints and parses back to itself")
    func absoluteWindowRoundTrip() throws {
        var rng = SeededGenerator(seed: 9999)
        let range: ClosedRange<Int64> = -62_135_596_800...253_402_300_799
        for _ in 0..<300 {
            let seconds = Int64.random(in: range, using: &rng)
            let slice = TopicsSlice.timeWindow(.absolute(HybridTimestamp(microseconds: seconds * 1_000_000)))
            #expect(try TopicsSlice(parsing: slice.formatted) == slice, "seconds \(seconds): \(slice.formatted)")
        }
    }
}
