@testable import ArborServer
import Testing

@Suite struct CenterLinkSharingTests {
    let start = ContinuousClock.now
    let startMicroseconds: Int64 = 1_000_000_000

    @Test func theMasterRecordsAChangeAtOnceAndRefreshesAnUnchangedState() {
        var sharing = CenterLinkSharing(refreshInterval: .seconds(1), freshness: .seconds(5))
        let answer1 = sharing.masterObserved(connected: false, at: start, nowMicroseconds: startMicroseconds)
        #expect(answer1 == .publish(CenterLinkReport(connected: false, microseconds: startMicroseconds)))
        let answer2 = sharing.masterObserved(connected: false, at: start + .milliseconds(250), nowMicroseconds: startMicroseconds + 250_000)
        #expect(answer2 == .none)
        let answer3 = sharing.masterObserved(connected: true, at: start + .milliseconds(500), nowMicroseconds: startMicroseconds + 500_000)
        #expect(answer3 == .publish(CenterLinkReport(connected: true, microseconds: startMicroseconds + 500_000)))
        let answer4 = sharing.masterObserved(connected: true, at: start + .milliseconds(1_400), nowMicroseconds: 0)
        #expect(answer4 == .none)
        let answer5 = sharing.masterObserved(connected: true, at: start + .milliseconds(1_500), nowMicroseconds: startMicroseconds + 1_500_000)
        #expect(answer5 == .publish(CenterLinkReport(connected: true, microseconds: startMicroseconds + 1_500_000)))
    }

    @Test func aFailedRecordIsTriedAgainAtTheNextObservation() {
        var sharing = CenterLinkSharing()
        _ = sharing.masterObserved(connected: true, at: start, nowMicroseconds: startMicroseconds)
        sharing.publishFailed()
        let answer6 = sharing.masterObserved(connected: true, at: start + .milliseconds(10), nowMicroseconds: startMicroseconds + 10_000)
        #expect(answer6 != .none)
    }

    @Test func anotherProcessBelievesAReportOnlyWhileTheMasterRefreshesIt() {
        var sharing = CenterLinkSharing(refreshInterval: .seconds(1), freshness: .seconds(5))
        let report = CenterLinkReport(connected: true, microseconds: startMicroseconds)
        let answer7 = sharing.read(report, at: start, nowMicroseconds: startMicroseconds + 100_000)
        #expect(answer7)
        let answer8 = sharing.read(report, at: start + .seconds(4), nowMicroseconds: 0)
        #expect(answer8, "not yet stale")
        let answer9 = sharing.read(report, at: start + .seconds(6), nowMicroseconds: 0)
        #expect(!answer9, "the master stopped refreshing: not believed")
        let refreshed = CenterLinkReport(connected: true, microseconds: startMicroseconds + 6_000_000)
        let answer10 = sharing.read(refreshed, at: start + .seconds(6), nowMicroseconds: 0)
        #expect(answer10, "refreshed again")
        let answer11 = sharing.read(CenterLinkReport(connected: false, microseconds: startMicroseconds + 6_250_000), at: start + .milliseconds(6_250), nowMicroseconds: 0)
        #expect(!answer11)
        let answer12 = sharing.read(nil, at: start + .seconds(7), nowMicroseconds: 0)
        #expect(!answer12, "no report: not connected")
    }

    @Test func aReportLeftByADeadMasterIsNotBelievedByAProcessStartedLater() {
        var sharing = CenterLinkSharing(refreshInterval: .seconds(1), freshness: .seconds(5))
        let old = CenterLinkReport(connected: true, microseconds: startMicroseconds)
        let answer13 = sharing.read(old, at: start, nowMicroseconds: startMicroseconds + 60_000_000)
        #expect(!answer13)
        let answer14 = sharing.read(old, at: start + .seconds(1), nowMicroseconds: startMicroseconds + 61_000_000)
        #expect(!answer14)
    }

    @Test func theReportTextRoundTripsAndRejectsAnythingElse() {
        for report in [CenterLinkReport(connected: true, microseconds: 17), CenterLinkReport(connected: false, microseconds: 1_764_000_000_000_000)] {
            #expect(CenterLinkReport(text: report.text) == report)
        }
        for text in ["", "connected", "up 12", "connected twelve", "connected 1 2"] { #expect(CenterLinkReport(text: text) == nil) }
    }
}
