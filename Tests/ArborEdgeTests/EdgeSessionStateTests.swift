@testable import ArborEdge
import ArborCore
import Foundation
import Testing

@Suite struct EdgeSessionStateTests {
    private func makeState(_ servers: [String] = ["http://a:1", "http://b:2", "http://c:3"]) -> EdgeSessionState {
        EdgeSessionState(servers: SiteServerList(servers)!)
    }

    @Test func loadsSetSliceAndSequence() {
        var state = makeState()
        #expect(state.slice == nil)
        state.loaded(slice: "A", sequence: 10)
        #expect(state.slice == "A")
        #expect(state.sequence == 10)
        state.loaded(slice: "B", sequence: 4)
        #expect(state.slice == "B")
        #expect(state.sequence == 4, "a full or sync load starts over from its own sequence")
    }

    /// The position goes with the log it belongs to: fetches send it, a load from another log
    /// (the site was restored) replaces both.
    @Test func theLogIncarnationGoesWithThePosition() throws {
        var state = makeState()
        let first = UUID(), second = UUID()
        state.loaded(slice: "A", sequence: 10, logIncarnation: first)
        let ticket = try state.beginFetch()
        #expect(ticket.logIncarnation == first)
        state.endFetch(ticket, sequence: 12, logIncarnation: first)
        state.partiallyLoaded(newSlice: "A+B", sequence: 3, logIncarnation: second)
        #expect(state.sequence == 3 && state.logIncarnation == second, "the older position of another log is no position in this one")
        var upgraded = makeState()
        upgraded.loaded(slice: "A", sequence: 5)
        let old = try upgraded.beginFetch()
        upgraded.endFetch(old, sequence: 6, logIncarnation: first)
        #expect(upgraded.logIncarnation == first, "a site that starts naming its log is taken at its word")
    }

    @Test func partialLoadKeepsTheOlderPosition() {
        var fresh = makeState()
        fresh.partiallyLoaded(newSlice: "A+B", sequence: 30)
        #expect(fresh.sequence == 30)
        #expect(fresh.slice == "A+B")

        var state = makeState()
        state.loaded(slice: "A", sequence: 10)
        state.partiallyLoaded(newSlice: "A+B", sequence: 30)
        #expect(state.sequence == 10, "deltas 11…30 of the old slice must still be fetched")
        #expect(state.slice == "A+B")
    }

    @Test func fetchNeedsALoadAndRunsOneAtATime() throws {
        var state = makeState()
        #expect(throws: EdgeError(code: .invalidUse, message: "fetch before a load: call fullLoad, syncLoad or skipLoad first")) {
            try state.beginFetch()
        }
        state.loaded(slice: "A", sequence: 10)
        let ticket = try state.beginFetch()
        #expect(ticket.fromSequence == 10)
        #expect(ticket.slice == "A")
        #expect(throws: EdgeError.self) { try state.beginFetch() }
        let taken = state.endFetch(ticket, sequence: 15)
        #expect(taken)
        #expect(state.sequence == 15)
        #expect(!state.fetchInProgress)
        let next = try state.beginFetch()
        #expect(next.fromSequence == 15)
        let failedTaken = state.endFetch(next, sequence: nil)
        #expect(!failedTaken, "a failed fetch leaves the sequence")
        #expect(state.sequence == 15)
    }

    @Test func fetchAnsweredAfterALoadDoesNotMoveTheSequence() throws {
        var state = makeState()
        state.loaded(slice: "A", sequence: 10)
        let ticket = try state.beginFetch()
        state.loaded(slice: "B", sequence: 50)
        let staleTaken = state.endFetch(ticket, sequence: 12)
        #expect(!staleTaken)
        #expect(state.sequence == 50)
        #expect(state.slice == "B")
        #expect(!state.fetchInProgress)
    }

    @Test func failOverAndRedirect() {
        var state = makeState()
        #expect(state.failed("http://a:1") == "http://b:2")
        #expect(state.failed("http://a:1") == "http://b:2", "a stale failure does not skip a server")
        state.received(connectedToCenter: nil, redirect: "http://c:3/")
        #expect(state.servers.current == "http://c:3")
        state.received(connectedToCenter: nil, redirect: "http://elsewhere:9")
        #expect(state.servers.current == "http://c:3", "unlisted targets are ignored")
        state.received(connectedToCenter: nil, redirect: "not a url")
        #expect(state.servers.current == "http://c:3")
    }

    @Test func connectedToCenterFollowsAnswers() {
        var state = makeState()
        #expect(!state.connectedToCenter)
        state.received(connectedToCenter: true, redirect: nil)
        #expect(state.connectedToCenter)
        state.received(connectedToCenter: nil, redirect: nil)
        #expect(state.connectedToCenter, "an answer without the header keeps the last value")
        state.received(connectedToCenter: false, redirect: nil)
        #expect(!state.connectedToCenter)
    }

    @Test func backoffAfterAFailedRound() {
        var state = makeState()
        let start = ContinuousClock.now
        #expect(state.backoffDelay(at: start, backoff: .seconds(2)) == nil)
        state.roundFailed(at: start)
        #expect(state.backoffDelay(at: start, backoff: .seconds(2)) == .seconds(2))
        #expect(state.backoffDelay(at: start + .milliseconds(1_500), backoff: .seconds(2)) == .milliseconds(500))
        #expect(state.backoffDelay(at: start + .seconds(2), backoff: .seconds(2)) == nil)
        #expect(state.backoffDelay(at: start, backoff: .zero) == nil)
        state.succeeded()
        #expect(state.backoffDelay(at: start, backoff: .seconds(2)) == nil)
    }
}

/// Issue 13 item 3: a father that stays down must not write a fail-over notice every second.
@Suite struct EdgeFailoverNoticeTests {
    @Test func oneNoticeAMinutePerPairWithTheCountOfThoseLeftOut() {
        var state = EdgeSessionState(servers: SiteServerList(["http://a:1"])!)
        let start = ContinuousClock.now
        #expect(state.failoverNotice(from: "http://a:1", to: "http://a:1", at: start) == 0)
        for second in 1...59 {
            #expect(state.failoverNotice(from: "http://a:1", to: "http://a:1", at: start + .seconds(second)) == nil)
        }
        #expect(state.failoverNotice(from: "http://a:1", to: "http://a:1", at: start + .seconds(60)) == 59)
        #expect(state.failoverNotice(from: "http://a:1", to: "http://a:1", at: start + .seconds(61)) == nil)
    }

    @Test func anotherPairIsANewStateAndIsWrittenAtOnce() {
        var state = EdgeSessionState(servers: SiteServerList(["http://a:1", "http://b:2"])!)
        let start = ContinuousClock.now
        #expect(state.failoverNotice(from: "http://a:1", to: "http://b:2", at: start) == 0)
        #expect(state.failoverNotice(from: "http://b:2", to: "http://a:1", at: start + .seconds(1)) == 0)
        #expect(state.failoverNotice(from: "http://a:1", to: "http://b:2", at: start + .seconds(2)) == nil)
    }
}
