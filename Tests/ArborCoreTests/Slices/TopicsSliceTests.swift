import ArborCore
import ArborTesting
import Testing

@Suite("Topics slice evaluation")
struct TopicsSliceTests {
    static let second: Int64 = 1_000_000
    /// 01/06/2024 12:00:00 UTC.
    static let now = HybridTimestamp(microseconds: 1_717_243_200 * second)

    static func ago(_ seconds: Int64, plus micros: Int64 = 0) -> HybridTimestamp {
        HybridTimestamp(microseconds: now.microseconds - seconds * second + micros)
    }

    @Test("steady state counts every time window as satisfied")
    func steadyStateIgnoresWindows() throws {
        let slice = try TopicsSlice(parsing: "T1*TimeWindow60*TimeWindow[31/12/2999 00:00:00]")
        #expect(slice.selects(topics: ["T1"], updateTime: .zero, mode: .steadyState))
        #expect(!slice.selects(topics: ["T2"], updateTime: .zero, mode: .steadyState))
        #expect(!slice.selects(topics: ["T1"], updateTime: Self.now, mode: .load(now: Self.now)))
        #expect(slice.selectsInSteadyState(Fixtures.topics("T1")))
        #expect(slice.hasTimeWindow)
        #expect(!(try TopicsSlice(parsing: "T1*!T2")).hasTimeWindow)
    }

    @Test(
        "relative window bounds are inclusive: now-n and now",
        arguments: [
            (ago(60), true), (ago(60, plus: -1), false), (ago(0), true), (ago(0, plus: 1), false),
            (ago(30), true), (ago(3600), false),
        ])
    func relativeBounds(updateTime: HybridTimestamp, inside: Bool) throws {
        let slice = try TopicsSlice(parsing: "TimeWindow60")
        #expect(slice.selects(topics: [], updateTime: updateTime, mode: .load(now: Self.now)) == inside)
        #expect(slice.selects(topics: [], updateTime: updateTime, mode: .steadyState))
    }

    @Test("TimeWindow0 holds only now")
    func zeroWindow() throws {
        let slice = try TopicsSlice(parsing: "TimeWindow0")
        #expect(slice.selects(topics: [], updateTime: Self.now, mode: .load(now: Self.now)))
        #expect(!slice.selects(topics: [], updateTime: Self.ago(0, plus: -1), mode: .load(now: Self.now)))
    }

    @Test("an absolute window holds every time at or after its start")
    func absoluteWindow() throws {
        let slice = try TopicsSlice(parsing: "TimeWindow[31/12/2005 14:59:00]")
        let start: Int64 = 1_136_041_140 * Self.second
        let load = SliceEvaluationMode.load(now: Self.now)
        #expect(slice.selects(topics: [], updateTime: HybridTimestamp(microseconds: start), mode: load))
        #expect(!slice.selects(topics: [], updateTime: HybridTimestamp(microseconds: start - 1), mode: load))
        #expect(slice.selects(topics: [], updateTime: HybridTimestamp(microseconds: .max), mode: load))
        #expect(!slice.selects(topics: [], updateTime: .zero, mode: load))
    }

    @Test(
        "the guide's window example (T1+T2)*TimeWindow3600+(T3*TimeWindow120)",
        arguments: [
            (["T1"], ago(1800), true), (["T2"], ago(3600), true), (["T1"], ago(7200), false),
            (["T3"], ago(60), true), (["T3"], ago(300), false), (["T1", "T3"], ago(300), true),
            (["T4"], ago(0), false), ([], ago(10), false),
        ] as [(Set<String>, HybridTimestamp, Bool)])
    func guideWindowExample(topics: Set<String>, updateTime: HybridTimestamp, selected: Bool) throws {
        let slice = try TopicsSlice(parsing: "(T1+T2)*TimeWindow3600+(T3*TimeWindow120)")
        #expect(slice.selects(topics: topics, updateTime: updateTime, mode: .load(now: Self.now)) == selected)
        // In steady state the windows are disregarded: only the topics matter.
        let byTopics = !topics.isDisjoint(with: ["T1", "T2", "T3"])
        #expect(slice.selects(topics: topics, updateTime: updateTime, mode: .steadyState) == byTopics)
    }

    @Test("a '#' topic counts for the delta server and is ignored by the cache server")
    func hashTopics() throws {
        let list = Fixtures.topics("A", "#site.s1")
        let wants = try TopicsSlice(parsing: "site.s1")
        #expect(wants.selectsInSteadyState(list))
        #expect(!wants.selectsForLoad(list, updateTime: Self.now, now: Self.now))
        let blocks = try TopicsSlice(parsing: "A*!site.s1")
        #expect(!blocks.selectsInSteadyState(list))
        #expect(blocks.selectsForLoad(list, updateTime: Self.now, now: Self.now))
    }

    @Test("selectsForLoad applies windows, selectsInSteadyState does not")
    func loadVersusSteadyState() throws {
        let slice = try TopicsSlice(parsing: "A*TimeWindow60")
        let list = Fixtures.topics("A")
        #expect(slice.selectsInSteadyState(list))
        #expect(slice.selectsForLoad(list, updateTime: Self.ago(59), now: Self.now))
        #expect(!slice.selectsForLoad(list, updateTime: Self.ago(61), now: Self.now))
    }

    @Test("negatedTopics collects every '!' topic, nested ones included")
    func negatedTopics() throws {
        let slice = try TopicsSlice(parsing: "(!A*(B+!C))*!D+E*(F*(!G+TimeWindow5))")
        #expect(slice.negatedTopics == ["A", "C", "D", "G"])
        #expect(slice.mentionedTopics == ["A", "B", "C", "D", "E", "F", "G"])
        #expect((try TopicsSlice(parsing: "A+B")).negatedTopics.isEmpty)
    }

    @Test("'!T' as the whole slice selects everything without T")
    func negationAlone() throws {
        let slice = try TopicsSlice(parsing: "!arbor.notson.x")
        #expect(slice.selectsInSteadyState(.empty))
        #expect(slice.selectsInSteadyState(Fixtures.topics("anything", "#other")))
        #expect(!slice.selectsInSteadyState(Fixtures.topics("A", "#arbor.notson.x")))
        #expect(slice.selectsForLoad(Fixtures.topics("A", "#arbor.notson.x"), updateTime: .zero, now: Self.now))
    }
}
