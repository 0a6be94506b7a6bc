import ArborCore
import Testing

@Suite("Selective distribution rules (§8.3)")
struct ProxySliceTests {
    private func parse(_ text: String) throws -> TopicsSlice { try TopicsSlice(parsing: text) }

    @Test("a slice uses every application topic it names, negated or not, but no time window or site topic")
    func topicsUsed() throws {
        #expect(ProxySlice.topicsUsed(by: try parse("a+b*!c")) == ["a", "b", "c"])
        #expect(ProxySlice.topicsUsed(by: try parse("(a+TimeWindow3600)*!arbor.notson.x")) == ["a"])
        #expect(ProxySlice.topicsUsed(by: try parse("arbor.father")).isEmpty)
    }

    @Test("missing topics are those used and not received")
    func missing() throws {
        let slice = try parse("orders+stock*!archived")
        #expect(ProxySlice.missingTopics(of: slice, received: ["orders", "stock", "archived"]).isEmpty)
        #expect(ProxySlice.missingTopics(of: slice, received: ["orders"]) == ["stock", "archived"])
    }

    @Test("the subscription joins fixed and dynamic topics sorted, and selects nothing when both are empty")
    func subscription() throws {
        #expect(ProxySlice.subscription(fixed: ["z", "a"], dynamic: ["m", "a"]) == "a+m+z")
        let empty = ProxySlice.subscription(fixed: [], dynamic: [])
        #expect(empty == ProxySlice.nothingTopic)
        let parsed = try parse(empty)
        #expect(!parsed.selectsInSteadyState(try TopicsList(parsing: ",a,b,")))
        #expect(ProxySlice.topicsUsed(by: parsed).isEmpty)
    }

    @Test("a dynamic topic expires once unused for longer than the life; fixed topics never")
    func expiry() {
        let lastUsed: [String: Int64] = ["old": 1_000, "recent": 9_000, "fixed": 0, "edge": 5_000]
        let expired = ProxySlice.expiredTopics(lastUsed: lastUsed, fixed: ["fixed"], now: 10_000, lifeMicroseconds: 5_000)
        #expect(expired == ["old"])
        #expect(ProxySlice.expiryCutoff(now: 10_000, lifeMicroseconds: 5_000) == 5_000)
    }
}
