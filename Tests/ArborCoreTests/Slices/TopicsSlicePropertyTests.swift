import ArborCore
import ArborTesting
import Foundation
import Testing

/// Random slices checked against the text-level ``ReferenceSliceEvaluator``.
@Suite("Topics slice properties")
struct TopicsSlicePropertyTests {
    static let alphabet = ["T1", "T2", "T3", "a.b", "TimeWindowX", "x[1]", "é"]
    static let relativePool: [Int64] = [0, 1, 60, 3600, 86_400]
    /// Whole seconds of 01/01/2000, 01/06/2024 12:00:00, 31/12/2039 23:59:59 UTC.
    static let absolutePool: [Int64] = [946_684_800, 1_717_243_200, 2_208_988_799]
    static let now: Int64 = 1_717_243_200 * 1_000_000

    /// A generator of one case's random choices, so the case replays from its seed alone.
    struct Case {
        var rng: SeededGenerator

        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        mutating func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        mutating func number(_ range: Range<Int64>) -> Int64 { Int64.random(in: range, using: &rng) }

        mutating func slice(depth: Int) -> TopicsSlice {
            if depth == 0 || chance(30) { return leaf() }
            let lhs = slice(depth: depth - 1)
            let rhs = slice(depth: depth - 1)
            return chance(50) ? .or(lhs, rhs) : .and(lhs, rhs)
        }

        mutating func leaf() -> TopicsSlice {
            switch rng.next() % 10 {
            case 0..<5: return .topic(pick(TopicsSlicePropertyTests.alphabet))
            case 5..<7: return .not(pick(TopicsSlicePropertyTests.alphabet))
            case 7..<9:
                let seconds = chance(70) ? pick(TopicsSlicePropertyTests.relativePool) : number(0..<100_000)
                return .timeWindow(.relative(seconds: seconds))
            default:
                let seconds = chance(60) ? pick(TopicsSlicePropertyTests.absolutePool) : number(0..<4_102_444_800)
                return .timeWindow(.absolute(HybridTimestamp(microseconds: seconds * 1_000_000)))
            }
        }

        /// The slice as a person might type it: random blanks, redundant parentheses,
        /// leading zeros, one-digit date fields. Built here, not with `formatted`.
        mutating func render(_ slice: TopicsSlice) -> String {
            var text: String
            switch slice {
            case .topic(let name): text = name
            case .not(let name): text = "!" + blanks() + name
            case .timeWindow(.relative(let seconds)): text = "TimeWindow" + (chance(20) ? "00" : "") + "\(seconds)"
            case .timeWindow(.absolute(let start)): text = renderDate(start.microseconds / 1_000_000)
            case .or(let lhs, let rhs): text = render(lhs) + blanks() + "+" + blanks() + renderRight(rhs)
            case .and(let lhs, let rhs): text = render(lhs) + blanks() + "*" + blanks() + renderRight(rhs)
            }
            return chance(15) ? "(" + blanks() + text + blanks() + ")" : text
        }

        mutating func renderRight(_ slice: TopicsSlice) -> String {
            switch slice {
            case .or, .and: return "(" + blanks() + render(slice) + blanks() + ")"
            default: return render(slice)
            }
        }

        mutating func renderDate(_ seconds: Int64) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let pad = chance(50)
            func field(_ value: Int?) -> String { String(format: pad ? "%02d" : "%d", value ?? -1) }
            return "TimeWindow[" + blanks() + "\(field(parts.day))/\(field(parts.month))/\(String(format: "%04d", parts.year ?? -1))"
                + " " + blanks() + "\(field(parts.hour)):\(field(parts.minute)):\(field(parts.second))" + blanks() + "]"
        }

        mutating func blanks() -> String { chance(20) ? pick([" ", "\t", "  "]) : "" }

        mutating func topicsList() -> [String] {
            TopicsSlicePropertyTests.alphabet.filter { _ in chance(40) }.map { chance(25) ? "#" + $0 : $0 }
        }

        mutating func updateTime() -> Int64 {
            let now = TopicsSlicePropertyTests.now
            let nudge = pick([-1, 0, 0, 1] as [Int64])
            switch rng.next() % 4 {
            case 0: return now + nudge
            case 1: return now - pick(TopicsSlicePropertyTests.relativePool) * 1_000_000 + nudge
            case 2: return pick(TopicsSlicePropertyTests.absolutePool) * 1_000_000 + nudge
            default: return number(0..<(2 * now))
            }
        }
    }

    @Test("formatted text re-parses to the same slice, and the evaluator agrees with the text oracle")
    func randomSlices() throws {
        for seed in UInt64(1)...300 {
            var random = Case(rng: SeededGenerator(seed: seed))
            let slice = random.slice(depth: 4)
            let text = random.render(slice)
            let label = "seed \(seed): \(text) | formatted \(slice.formatted)"
            #expect(try TopicsSlice(parsing: slice.formatted) == slice, "\(label)")
            #expect(try TopicsSlice(parsing: text) == slice, "\(label)")
            for _ in 0..<6 {
                let entries = random.topicsList()
                let updateTime = random.updateTime()
                let list = try TopicsList(entries)
                let deltaView = Set(entries.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 })
                let cacheView = Set(entries.filter { !$0.hasPrefix("#") })
                let steady = try #require(ReferenceSliceEvaluator.evaluate(text, topics: deltaView, updateTime: updateTime, now: nil))
                let load = try #require(ReferenceSliceEvaluator.evaluate(text, topics: cacheView, updateTime: updateTime, now: Self.now))
                let at = HybridTimestamp(microseconds: updateTime)
                let now = HybridTimestamp(microseconds: Self.now)
                let context = "\(label) | topics \(list) | updateTime \(updateTime)"
                #expect(slice.selects(topics: deltaView, updateTime: at, mode: .steadyState) == steady, "\(context)")
                #expect(slice.selectsInSteadyState(list) == steady, "\(context)")
                #expect(slice.selects(topics: cacheView, updateTime: at, mode: .load(now: now)) == load, "\(context)")
                #expect(slice.selectsForLoad(list, updateTime: at, now: now) == load, "\(context)")
            }
        }
    }

    @Test("absolute windows agree with Foundation's UTC Gregorian calendar")
    func datesMatchCalendar() throws {
        var random = Case(rng: SeededGenerator(seed: 2005))
        for _ in 0..<300 {
            let seconds = random.number(-2_208_988_800..<4_102_444_800)  // 1900...2099
            let text = random.renderDate(seconds)
            #expect(try TopicsSlice(parsing: text) == .timeWindow(.absolute(HybridTimestamp(microseconds: seconds * 1_000_000))), "\(text)")
        }
    }

    @Test("the oracle itself follows left-to-right order and windows")
    func oracleSanity() {
        #expect(ReferenceSliceEvaluator.evaluate("T2+T3*T4", topics: ["T2"], updateTime: 0, now: nil) == false)
        #expect(ReferenceSliceEvaluator.evaluate("T2+(T3*T4)", topics: ["T2"], updateTime: 0, now: nil) == true)
        #expect(ReferenceSliceEvaluator.evaluate("!T1 * TimeWindow5", topics: [], updateTime: 0, now: 5_000_000) == true)
        #expect(ReferenceSliceEvaluator.evaluate("!T1*TimeWindow5", topics: [], updateTime: 0, now: 5_000_001) == false)
        #expect(ReferenceSliceEvaluator.evaluate("TimeWindow[01/01/1970 00:00:01]", topics: [], updateTime: 999_999, now: 0) == false)
        #expect(ReferenceSliceEvaluator.evaluate("(T1", topics: ["T1"], updateTime: 0, now: nil) == nil)
    }
}
