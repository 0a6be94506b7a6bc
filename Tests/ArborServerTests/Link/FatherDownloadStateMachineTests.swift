@testable import ArborServer
import ArborCore
import Testing

@Suite struct FatherDownloadStateMachineTests {
    private func machine() -> FatherDownloadStateMachine {
        FatherDownloadStateMachine(retryBackoff: .seconds(1), refusedRetryInterval: .seconds(30))
    }

    @Test func firstConnectionLoadsFromScratch() {
        var empty = machine()
        #expect(empty.start() == .readPosition)
        #expect(empty.positionRead(applied: nil, transmitted: nil, holdsEntities: false) == .fullLoad)
        var standalone = machine()
        _ = standalone.start()
        #expect(standalone.positionRead(applied: nil, transmitted: nil, holdsEntities: true) == .syncLoadRegistering(fatherLostData: false),
                "a son that wrote before it ever connected registers what it holds")
    }

    @Test func knownSonResumesThenFetches() {
        var link = machine()
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: 1_000, holdsEntities: true) == .skipLoad(lastSequence: 42))
        #expect(link.loaded() == .fetch)
        #expect(link.fetched(atMicroseconds: 2_000) == .fetch)
    }

    /// Nemesis long run, seed 20261203, 50,000 operations: a narrowing of east stopped after it
    /// dropped the entities leaving and before it recorded the new slice; east came back on the
    /// slice it had, resumed as if nothing had changed, and lacked 4,644 entities for good.
    @Test("back on its recorded slice after a change to another stopped midway, a son changes from the started one")
    func aChangeStoppedMidwayIsUndoneFromTheStartedSlice() {
        var link = machine()
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A+B)*!x", configured: "(A+B)*!x", changeStarted: "(A)*!x")
                == .changeSlice(oldSlice: "(A)*!x", lastSequence: 42))
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A+B)*!x", configured: "(A+B)*!x", changeStarted: "")
                == .skipLoad(lastSequence: 42), "no change under way")
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A)*!x", configured: "(A)*!x", changeStarted: "(A)*!x")
                == .skipLoad(lastSequence: 42), "the change was recorded; only its mark was left")
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A)*!x", configured: "(B)*!x", changeStarted: "(C)*!x")
                == .changeSlice(oldSlice: "(A)*!x", lastSequence: 42), "a new configured slice changes from the recorded one, as before")
    }

    @Test("a known son started with another slice changes it (§2.3); the same slice or an unknown one resumes")
    func changedSliceIsChanged() {
        var link = machine()
        _ = link.start()
        let changed = link.positionRead(applied: 42, transmitted: 1_000, holdsEntities: true, subscribed: "(A)*!x", configured: "(A+B)*!x")
        #expect(changed == .changeSlice(oldSlice: "(A)*!x", lastSequence: 42))
        #expect(link.failed(.unreachable("down")) == .wait(.seconds(1), then: changed), "an unreachable father: the change is tried again")
        #expect(link.loaded() == .fetch)
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A)*!x", configured: "(A)*!x") == .skipLoad(lastSequence: 42))
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: nil, configured: "(A)*!x") == .skipLoad(lastSequence: 42))
        _ = link.start()
        #expect(link.positionRead(applied: 42, transmitted: nil, holdsEntities: true, subscribed: "(A)*!x", configured: nil) == .skipLoad(lastSequence: 42),
                "selective distribution manages its subscription itself")
        _ = link.start()
        #expect(link.positionRead(applied: nil, transmitted: nil, holdsEntities: false, subscribed: "(A)*!x", configured: "(B)*!x") == .fullLoad)
    }

    @Test func unreachableRepeatsTheSameStepAfterBackoff() {
        var link = machine()
        _ = link.start()
        #expect(link.failed(.unreachable("down")) == .wait(.seconds(1), then: .readPosition))
        _ = link.positionRead(applied: 7, transmitted: nil, holdsEntities: false)
        #expect(link.failed(.unreachable("down")) == .wait(.seconds(1), then: .skipLoad(lastSequence: 7)))
        _ = link.loaded()
        #expect(link.failed(.unreachable("down")) == .wait(.seconds(1), then: .fetch), "a fetch keeps its position in the edge")
    }

    @Test func tooFarBehindSyncLoadsFromTheLastTransmissionMinusAllowance() {
        var link = machine()
        _ = link.start()
        _ = link.positionRead(applied: 7, transmitted: 900_000_000, holdsEntities: false)
        let allowance = FatherDownloadStateMachine.transmissionAllowanceMicroseconds
        #expect(link.failed(.tooFarBehind) == .syncLoad(since: HybridTimestamp(microseconds: 900_000_000 - allowance)))
        _ = link.loaded()
        _ = link.fetched(atMicroseconds: 1_000_000_000)
        #expect(link.failed(.tooFarBehind) == .syncLoad(since: HybridTimestamp(microseconds: 1_000_000_000 - allowance)))
        var unknown = machine()
        _ = unknown.start()
        _ = unknown.positionRead(applied: 7, transmitted: nil, holdsEntities: false)
        #expect(unknown.failed(.tooFarBehind) == .syncLoad(since: .zero), "no transmission known: since the epoch")
    }

    @Test func lostRegistrationsOrPositionRegisterAgain() {
        var link = machine()
        _ = link.start()
        _ = link.positionRead(applied: 7, transmitted: nil, holdsEntities: true)
        #expect(link.failed(.notRegistered) == .syncLoadRegistering(fatherLostData: false))
        _ = link.loaded()
        #expect(link.failed(.positionUnknown("beyond the log")) == .syncLoadRegistering(fatherLostData: true))
        _ = link.loaded()
        #expect(link.failed(.logReplaced("the father was restored")) == .syncLoadRegistering(fatherLostData: true), "the restored father's registrations of the son are old too")
    }

    @Test func aDisabledSonRetriesSoonFromItsStoredPosition() {
        var link = machine()
        _ = link.start()
        _ = link.positionRead(applied: 7, transmitted: nil, holdsEntities: false)
        _ = link.loaded()
        #expect(link.failed(.disabled("client 'b1' is disabled")) == .wait(FatherLinkSettings.defaultDisabledRetryInterval, then: .readPosition))
        #expect(FatherLinkSettings.defaultDisabledRetryInterval < .seconds(30), "enabling the son again must show within seconds")
        #expect(link.positionRead(applied: 7, transmitted: nil, holdsEntities: false) == .skipLoad(lastSequence: 7))
    }

    @Test func refusalsAndRepeatedRecoveriesBackOffSlowly() {
        var link = machine()
        _ = link.start()
        _ = link.positionRead(applied: nil, transmitted: nil, holdsEntities: false)
        #expect(link.failed(.refused(code: "SchemaMismatch", message: "v2")) == .wait(.seconds(30), then: .readPosition))
        _ = link.positionRead(applied: 3, transmitted: nil, holdsEntities: false)
        for _ in 0..<FatherDownloadStateMachine.maximumRecoveries {
            #expect(link.failed(.notRegistered) == .syncLoadRegistering(fatherLostData: false))
            _ = link.loaded()
        }
        #expect(link.failed(.notRegistered) == .wait(.seconds(30), then: .readPosition), "recoveries that never reach a fetch stop looping fast")
        _ = link.positionRead(applied: 3, transmitted: nil, holdsEntities: false)
        _ = link.loaded()
        _ = link.fetched(atMicroseconds: 5)
        #expect(link.failed(.notRegistered) == .syncLoadRegistering(fatherLostData: false), "an answered fetch resets the count")
    }

    @Test func localFailureRestartsFromTheRecordedPosition() {
        var link = machine()
        _ = link.start()
        _ = link.positionRead(applied: 3, transmitted: nil, holdsEntities: false)
        _ = link.loaded()
        #expect(link.failed(.localFailure("disk full")) == .wait(.seconds(1), then: .readPosition))
    }
}
