import ArborCore
import ArborTesting
import Foundation
import Testing

/// DESIGN rule 3: registration changes only on acknowledged delivery.
@Suite("FetchRoutingStateMachine")
struct FetchRoutingStateMachineTests {
    private typealias F = RoutingFixtures
    private let other = Fixtures.id(2)

    @Test("a fetch from the acknowledged sequence with nothing pending proceeds")
    func proceeds() {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        #expect(machine.fetchRequested(fromSequence: 10) == .proceed)
        #expect(machine.acknowledgedSequence == 10 && machine.pending == nil)
    }

    @Test("a fetch behind the acknowledged sequence is refused without a change; one ahead restarts there")
    func behindIsRefusedAheadRestarts() {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        #expect(machine.fetchRequested(fromSequence: 9) == .rejectBehindAcknowledged(acknowledgedSequence: 10))
        #expect(machine.acknowledgedSequence == 10)
        #expect(machine.fetchRequested(fromSequence: 10) == .proceed)
        #expect(machine.fetchRequested(fromSequence: 11) == .restartAhead)
        #expect(machine.acknowledgedSequence == 11 && machine.pending == nil)
    }

    @Test("acknowledging a batch commits its final states and advances the sequence")
    func commitsOnAcknowledgement() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        let batch = machine.route(buffers: [
            F.buffer(11, [try F.delta(.full, ["A"])]),
            F.buffer(12, [try F.delta(.create, ["A"], id: other)]),
        ]) { _ in .unregistered }
        #expect(batch.lastSequence == 12)
        #expect(batch.pendingStates == [F.entity: .synchronized, other: .synchronized])
        #expect(machine.pending?.lastSequence == 12)
        #expect(machine.acknowledgedSequence == 10, "nothing changes before the client acknowledges")
        #expect(machine.fetchRequested(fromSequence: 12) == .commit([F.entity: .synchronized, other: .synchronized]))
        #expect(machine.acknowledgedSequence == 12 && machine.pending == nil)
        #expect(machine.fetchRequested(fromSequence: 12) == .proceed)
    }

    @Test("a re-fetch from the acknowledged sequence discards the batch and the lost FULL is sent again")
    func lostFullIsSentAgain() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        let buffers = [F.buffer(11, [try F.delta(.full, ["C"])])]
        let first = machine.route(buffers: buffers) { _ in .unsynchronized }
        #expect(first.deliveredDeltas.map(\.operation) == [.full])
        #expect(machine.fetchRequested(fromSequence: 10) == .discardPending)
        #expect(machine.pending == nil && machine.acknowledgedSequence == 10)
        // The store was never told: the client is still unsynchronized and gets the FULL again.
        let second = machine.route(buffers: buffers) { _ in .unsynchronized }
        #expect(second.deliveredDeltas.map(\.operation) == [.full])
        #expect(machine.fetchRequested(fromSequence: 11) == .commit([F.entity: .synchronized]))
    }

    @Test("a re-fetch inside the pending batch discards it and acknowledges only up to the request")
    func refetchInsideBatch() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        _ = machine.route(buffers: [F.buffer(11, []), F.buffer(15, [try F.delta(.full, ["A"])])]) { _ in .unregistered }
        #expect(machine.fetchRequested(fromSequence: 11) == .discardPending)
        #expect(machine.acknowledgedSequence == 11 && machine.pending == nil)
        #expect(machine.fetchRequested(fromSequence: 10) == .rejectBehindAcknowledged(acknowledgedSequence: 11))
    }

    @Test("with a batch pending, a fetch behind is refused and keeps it; one past the batch drops it uncommitted")
    func behindAndAheadWithPending() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        _ = machine.route(buffers: [F.buffer(14, [try F.delta(.full, ["A"])])]) { _ in .unregistered }
        #expect(machine.fetchRequested(fromSequence: 9) == .rejectBehindAcknowledged(acknowledgedSequence: 10))
        #expect(machine.pending?.lastSequence == 14, "a refused fetch leaves the pending batch in place")
        #expect(machine.fetchRequested(fromSequence: 14) == .commit([F.entity: .synchronized]))

        _ = machine.route(buffers: [F.buffer(16, [try F.delta(.full, ["A"], id: other)])]) { _ in .unregistered }
        #expect(machine.fetchRequested(fromSequence: 17) == .restartAhead, "never commits what it was not told the client holds")
        #expect(machine.acknowledgedSequence == 17 && machine.pending == nil)
    }

    @Test("a client restored from an older copy is refused, not sent PARTIALs of entities it lacks (issue 10 item 12)")
    func restoredClientIsRefused() throws {
        // The client was sent a FULL at 13 and acknowledged it by fetching from 13; the site
        // persisted it synchronized. Restored from a copy at 12, it fetches from 12: routing
        // from the persisted state would skip the FULL at 13 and send the PARTIAL at 14 alone.
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 12)
        _ = machine.route(buffers: [F.buffer(13, [try F.delta(.full, ["A"])])]) { _ in .unregistered }
        #expect(machine.fetchRequested(fromSequence: 13) == .commit([F.entity: .synchronized]))
        #expect(machine.fetchRequested(fromSequence: 12) == .rejectBehindAcknowledged(acknowledgedSequence: 13))
        #expect(machine.acknowledgedSequence == 13)
    }

    @Test("a machine resumed from its persisted state acknowledges as the one that routed the batch")
    func resumesFromPersistedState() throws {
        var router = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 4)
        _ = router.route(buffers: [F.buffer(6, [try F.delta(.full, ["A"])])]) { _ in .unregistered }
        let otherSlice = RoutingClient.registered(F.bit(3), slice: .topic("A"))
        var resumed = FetchRoutingStateMachine(client: otherSlice, acknowledgedSequence: router.acknowledgedSequence, pending: router.pending)
        #expect(resumed.fetchRequested(fromSequence: 6) == .commit([F.entity: .synchronized]))
        #expect(resumed.client == otherSlice && resumed.acknowledgedSequence == 6)
    }

    @Test("a batch with nothing deliverable still advances lastSequence and is acknowledged")
    func emptyBatchAdvances() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        let batch = machine.route(buffers: [
            F.buffer(11, [try F.delta(.create, ["C"])]),
            F.buffer(13, [try F.delta(.partial, ["C"]), try F.delta(.partial, ["A", "B"])]),
        ]) { _ in .unregistered }
        #expect(batch.isEmpty && batch.lastSequence == 13)
        #expect(batch.skipped == [.notSelected: 3])
        #expect(machine.fetchRequested(fromSequence: 13) == .commit([:]))
        #expect(machine.acknowledgedSequence == 13)
    }

    @Test("routing no buffers leaves nothing pending and the sequence where it was")
    func noBuffers() {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 10)
        let batch = machine.route(buffers: []) { _ in .unregistered }
        #expect(batch.lastSequence == 10 && batch.isEmpty && machine.pending == nil)
        #expect(machine.fetchRequested(fromSequence: 10) == .proceed)
    }

    @Test("delivered deltas stay grouped per buffer; empty buffers are omitted")
    func groupsPerBuffer() throws {
        var machine = FetchRoutingStateMachine(client: F.plainEdge, acknowledgedSequence: 0)
        let batch = machine.route(buffers: [
            F.buffer(1, [try F.delta(.create, ["A"]), try F.delta(.create, ["C"], id: other)]),
            F.buffer(2, [try F.delta(.full, ["A"])]),
            F.buffer(3, [try F.delta(.partial, ["A"]), try F.delta(.update, ["A"], id: other)]),
        ]) { _ in .unregistered }
        #expect(batch.buffers.map(\.sequence) == [1, 3])
        #expect(batch.buffers.map(\.deltas.count) == [1, 2])
        #expect(batch.buffers.allSatisfy { $0.schemaName == "retail-v1" && $0.originSite == "center" })
        #expect(batch.lastSequence == 3)
    }

    @Test("an unregistered client has no pending states and its registrations are never read")
    func unregisteredClientHasNoStates() throws {
        var machine = FetchRoutingStateMachine(client: F.father, acknowledgedSequence: 0)
        var lookups = 0
        let batch = machine.route(buffers: [F.buffer(1, [try F.delta(.create, ["#arbor.father", "X"])])]) { _ in
            lookups += 1
            return .synchronized
        }
        #expect(lookups == 0 && batch.pendingStates.isEmpty && batch.deliveredDeltas.count == 1)
    }

    @Test("registration changes thread through a batch: FULL then PARTIAL+FULL")
    func threadsStatesAcrossBuffers() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 0)
        var lookups = 0
        let batch = machine.route(buffers: [
            F.buffer(1, [try F.delta(.full, ["A"])]),
            F.buffer(2, [try F.delta(.partial, ["A"]), try F.delta(.full, ["A"])]),
        ]) { _ in
            lookups += 1
            return .unsynchronized
        }
        #expect(batch.deliveredDeltas.map(\.operation) == [.full, .partial])
        #expect(lookups == 1, "the acknowledged state is read once, then the in-batch state is used")
    }

    @Test("buffers the client already acknowledged are not routed again")
    func ignoresAcknowledgedBuffers() throws {
        var machine = FetchRoutingStateMachine(client: F.plainEdge, acknowledgedSequence: 5)
        let batch = machine.route(buffers: [F.buffer(5, [try F.delta(.create, ["A"])]), F.buffer(6, [try F.delta(.create, ["A"])])]) { _ in .unregistered }
        #expect(batch.buffers.map(\.sequence) == [6])
    }

    @Test("routing again before an acknowledgement replaces the pending batch, from acknowledged states")
    func routeReplacesPending() throws {
        var machine = FetchRoutingStateMachine(client: F.registeredEdge, acknowledgedSequence: 0)
        _ = machine.route(buffers: [F.buffer(1, [try F.delta(.full, ["A"])])]) { _ in .unregistered }
        let second = machine.route(buffers: [F.buffer(1, [try F.delta(.full, ["A"])]), F.buffer(2, [])]) { _ in .unregistered }
        #expect(second.deliveredDeltas.map(\.operation) == [.full])
        #expect(machine.pending == .init(lastSequence: 2, states: [F.entity: .synchronized]))
        #expect(machine.fetchRequested(fromSequence: 1) == .discardPending)
    }
}
