@testable import ArborServer
import Testing

@Suite struct FatherLinkHealthTests {
    let start = ContinuousClock.now

    private func health() -> FatherLinkHealth {
        FatherLinkHealth(fetchWait: .seconds(20), heartbeatInterval: .seconds(5))
    }

    @Test func connectedOnlyWhenBothHalvesAnswered() {
        var link = health()
        #expect(link.evaluate(at: start) == nil, "starting: nothing answered or failed yet")
        link.answered(.download, at: start, connectedToCenter: true)
        #expect(link.evaluate(at: start) == nil, "unchanged: the upload half has not answered")
        link.answered(.upload, at: start, connectedToCenter: true)
        #expect(link.evaluate(at: start) == .connected(toCenter: true))
        #expect(link.status(at: start).isConnectedToCenter)
    }

    @Test func aStartIsReportedDisconnectedOnlyOnceSomethingFailsOrGoesStale() {
        var failing = health()
        failing.answered(.download, at: start, connectedToCenter: true)
        #expect(failing.evaluate(at: start) == nil, "no 'disconnected' line before the first 'connected'")
        failing.failed(.upload)
        #expect(failing.evaluate(at: start) == .disconnected, "the father is unreachable for uploads")

        var silent = health()
        silent.answered(.download, at: start, connectedToCenter: true)
        #expect(silent.evaluate(at: start + .seconds(30)) == nil, "a fetch answer is fresh for the fetch wait plus two heartbeats")
        #expect(silent.evaluate(at: start + .seconds(31)) == .disconnected, "the upload half never answered and the fetch answer went stale")
    }

    @Test func fatherNotConnectedToCenterIsNotCenterConnection() {
        var link = health()
        link.answered(.download, at: start, connectedToCenter: false)
        link.answered(.upload, at: start, connectedToCenter: false)
        #expect(link.status(at: start) == .connected(toCenter: false))
        #expect(!link.status(at: start).isConnectedToCenter)
    }

    @Test func staleAnswersDisconnect() {
        var link = health()
        link.answered(.download, at: start, connectedToCenter: true)
        link.answered(.upload, at: start, connectedToCenter: true)
        _ = link.evaluate(at: start)
        #expect(link.evaluate(at: start + .seconds(10)) == nil, "heartbeats are due every 5 s; 10 s is still fresh")
        #expect(link.evaluate(at: start + .seconds(11)) == .disconnected, "no heartbeat answer for two intervals")
        link.answered(.upload, at: start + .seconds(12), connectedToCenter: true)
        #expect(link.evaluate(at: start + .seconds(12)) == .connected(toCenter: true), "a long poll may stay open for the fetch wait")
        #expect(link.evaluate(at: start + .seconds(31)) == .disconnected)
    }

    @Test func failuresAndRefusals() {
        var link = health()
        link.answered(.download, at: start, connectedToCenter: true)
        link.answered(.upload, at: start, connectedToCenter: true)
        _ = link.evaluate(at: start)
        link.failed(.download)
        #expect(link.evaluate(at: start) == .disconnected, "a failed fetch disconnects at once")
        link.failed(.download, refusal: "SchemaMismatch: v2")
        #expect(link.evaluate(at: start) == .refused("SchemaMismatch: v2"))
        #expect(FatherLinkHealth.Status.refused("SchemaMismatch: v2").description == "refused: SchemaMismatch: v2")
        link.answered(.download, at: start, connectedToCenter: true)
        #expect(link.evaluate(at: start) == .connected(toCenter: true), "an answer clears the refusal; the upload half is still fresh")
    }
}
