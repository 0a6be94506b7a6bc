import ArborEdge
import Testing

@Suite struct SiteServerListTests {
    @Test func needsAtLeastOneServer() {
        #expect(SiteServerList([]) == nil)
    }

    @Test func failsOverInOrderAndReportsACompletedRound() throws {
        var list = try #require(SiteServerList(["http://a", "http://b", "http://c"]))
        let first = list.failed("http://a"), second = list.failed("http://b"), third = list.failed("http://c")
        #expect(first == ("http://b", false))
        #expect(second == ("http://c", false))
        #expect(third == ("http://a", true))
    }

    @Test func aStaleFailureReportDoesNotMoveTheEdge() throws {
        var list = try #require(SiteServerList(["http://a", "http://b"]))
        _ = list.failed("http://a")
        let stale = list.failed("http://a")
        #expect(stale == ("http://b", false))
        #expect(list.current == "http://b")
    }

    @Test func redirectsOnlyToKnownServers() throws {
        var list = try #require(SiteServerList(["http://a", "http://b"]))
        let movedToKnown = list.redirect(to: "http://b")
        #expect(movedToKnown)
        #expect(list.current == "http://b")
        let movedToUnknown = list.redirect(to: "http://evil")
        #expect(!movedToUnknown)
        #expect(list.current == "http://b")
    }
}
