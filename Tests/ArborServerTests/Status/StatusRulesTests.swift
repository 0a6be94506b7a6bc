import Foundation
import Testing

@testable import ArborServer

/// The status page's pure parts: lag, the error ring, the lag history and the access rule.
@Suite struct StatusRulesTests {
    @Test func lagCountsSequencesAndSecondsSinceCaughtUp() {
        var lag = LinkLag()
        lag.observed(position: 10, leaderSequence: 10, atMicroseconds: 1_000_000)
        #expect(lag.lag(leaderSequence: 10, atMicroseconds: 2_000_000, following: true) == (0, 0))
        // The leader moved on and the follower stopped fetching: 3 behind since it last had everything.
        #expect(lag.lag(leaderSequence: 13, atMicroseconds: 4_000_000, following: false) == (3, 3))
        lag.observed(position: 12, leaderSequence: 13, atMicroseconds: 5_000_000)
        #expect(lag.lag(leaderSequence: 13, atMicroseconds: 6_000_000, following: true) == (1, 5))
        #expect(LinkLag().lag(leaderSequence: 4, atMicroseconds: 1, following: false) == (4, nil))
    }

    @Test func aClientFollowsWhileItsCaughtUpPollIsOpen() {
        let activity = SiteActivity()
        let token = activity.fetchBegan(clientId: "east", slice: "east", registered: true, fromSequence: 5, logEnd: 5, atMicroseconds: 1_000_000)
        // A write came while the poll waits: the poll is answered with it at once, so the client follows.
        #expect(activity.fetchLag(of: "east", logEnd: 6, atMicroseconds: 1_500_000)! == (0, 0))
        activity.fetchEnded(token, answeredSequence: 6, logEnd: 6, atMicroseconds: 2_000_000)
        // No poll open and two more writes: 2 behind, for 1 s since it last had everything.
        #expect(activity.fetchLag(of: "east", logEnd: 8, atMicroseconds: 3_000_000)! == (2, 1))
        // A poll that begins behind does not count as following.
        _ = activity.fetchBegan(clientId: "east", slice: "east", registered: true, fromSequence: 6, logEnd: 8, atMicroseconds: 3_000_000)
        #expect(activity.fetchLag(of: "east", logEnd: 8, atMicroseconds: 3_000_000)!.sequences == 2)
        #expect(activity.fetchLag(of: "west", logEnd: 8, atMicroseconds: 3_000_000) == nil)
        activity.clientSeen("gone", atMicroseconds: 1)
        activity.keepOnly(clients: ["east"])
        #expect(activity.state.withLock { $0.lastSeen.isEmpty && $0.fetches.keys.sorted() == ["east"] })
    }

    @Test func repeatedErrorsCountUpAndTheRingIsBounded() {
        var errors = RecentErrors(capacity: 3)
        for time in 1...5 { errors.record(source: "father link upload", code: "Unreachable", message: "no father server answered", atMicroseconds: Int64(time)) }
        #expect(errors.entries.count == 1)
        #expect(errors.entries[0].count == 5 && errors.entries[0].atMicroseconds == 5)
        for number in 0..<5 { errors.record(source: "POST /arbor/1/delta/fetch", code: "NotAuthenticated", message: "m\(number)", atMicroseconds: 10) }
        #expect(errors.entries.map(\.message) == ["m2", "m3", "m4"])
        // Two sources failing in turn keep one entry each, the latest last.
        var alternating = RecentErrors(capacity: 3)
        for time in 1...6 {
            alternating.record(source: time % 2 == 0 ? "father link upload" : "father link download", code: "Unreachable", message: "down", atMicroseconds: Int64(time))
        }
        #expect(alternating.entries.map(\.source) == ["father link download", "father link upload"])
        #expect(alternating.entries.map(\.count) == [3, 3])
    }

    @Test func lagHistoryKeepsTheLatestSamplesAndForgetsGoneLinks() {
        var history = LagHistory(capacity: 3)
        for time in 1...4 {
            var samples = ["father": LagHistory.Point(atMicroseconds: Int64(time), sequences: Int64(time), seconds: 0)]
            if time == 1 { samples["son gone"] = LagHistory.Point(atMicroseconds: 1, sequences: 9, seconds: nil) }
            history.record(samples)
        }
        #expect(history.series["father"]?.map(\.sequences) == [2, 3, 4])
        #expect(history.series["son gone"] == nil)
    }

    @Test func onlyLoopbackAddressesAreLoopback() {
        for address in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] { #expect(StatusAccess.isLoopback(address), "\(address)") }
        for address in ["192.0.2.2", "10.0.0.1", "::ffff:10.0.0.1", "fd00::2", "127.example.org", "", nil] as [String?] {
            #expect(!StatusAccess.isLoopback(address), "\(address ?? "nil")")
        }
    }

    @Test func basicCredentialsAreRead() throws {
        let header = "Basic " + Data("monitor:s3:cret".utf8).base64EncodedString()
        let credentials = try #require(StatusAccess.basicCredentials(header))
        #expect(credentials.clientId == "monitor" && credentials.secret == "s3:cret")
        #expect(StatusAccess.basicCredentials("Bearer abc") == nil)
        #expect(StatusAccess.basicCredentials("Basic !!!") == nil)
    }

    @Test func siteReportsAreBounded() {
        var deep = SiteSummary(site: "leaf", sequence: 0, connected: true, connectedToCenter: true)
        for level in 0..<SiteSummary.maximumDepth { deep = SiteSummary(site: "s\(level)", sequence: 0, connected: true, connectedToCenter: true, sons: [deep]) }
        #expect(!deep.isWithinBounds)
        #expect(deep.sons[0].isWithinBounds)
    }

    @Test func thePageEscapesNamesAndLoadsNothingFromElsewhere() {
        let page = StatusPage.html(site: "<b>x</b>", instance: "1", jsonPath: "/arbor/1/status.json")
        #expect(!page.contains("<b>x</b>") && page.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(!page.contains("http://") || page.contains("http://www.w3.org/2000/svg"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"))
    }
}
