import ArborCore
import ArborTesting
import Foundation
import Testing

/// The §2.6 tables replayed as whole transactions through ``FetchRoutingStateMachine``, so
/// registration changes thread from one delta to the next as they do on the delta server.
@Suite("Site routing scenarios (§2.6)")
struct SiteRoutingScenarioTests {
    private typealias F = RoutingFixtures

    /// Routes one transaction at sequence 1 to `client`, whose acknowledged state on the
    /// entity is `state`; returns the delivered operations and the state after acknowledgement.
    private func deliver(
        _ deltas: [Delta], to client: RoutingClient, state: RegistrationState
    ) -> (operations: [DeltaOperation], final: RegistrationState) {
        var machine = FetchRoutingStateMachine(client: client, acknowledgedSequence: 0)
        let batch = machine.route(buffers: [F.buffer(1, deltas)]) { _ in state }
        guard case .commit(let states) = machine.fetchRequested(fromSequence: batch.lastSequence) else {
            Issue.record("acknowledging \(batch.lastSequence) did not commit")
            return ([], state)
        }
        return (batch.deliveredDeltas.map(\.operation), states[F.entity] ?? state)
    }

    @Test("§2.6.1 a local update PARTIAL+FULL reaches three registered clients by their state")
    func localUpdate() throws {
        let transaction = [try F.delta(.partial, ["#arbor.father", "A"]), try F.delta(.full, ["A"])]
        let client = F.registeredEdge
        let synced = deliver(transaction, to: client, state: .synchronized)
        #expect(synced.operations == [.partial] && synced.final == .synchronized)
        let unsynced = deliver(transaction, to: client, state: .unsynchronized)
        #expect(unsynced.operations == [.full] && unsynced.final == .synchronized)
        let newcomer = deliver(transaction, to: client, state: .unregistered)
        #expect(newcomer.operations == [.full] && newcomer.final == .synchronized)
        let father = deliver(transaction, to: F.father, state: .unregistered)
        #expect(father.operations == [.partial])
    }

    /// REGISTER, PARTIAL, FULL as a father emits them when it accepts son b1's update (§2.6.3).
    private func acceptedUpdate() throws -> [Delta] {
        [
            try F.delta(.register, ["#arbor.son.b1"], registration: .registerIfUnregistered),
            try F.delta(.partial, ["#arbor.father", "#arbor.notson.b1", "A"]),
            try F.delta(.full, ["A"]),
        ]
    }

    @Test("§2.6.3 accepted update: b1 unregistered gets REGISTER then FULL and ends synchronized")
    func acceptedUpdateUnregisteredSon() throws {
        // b1's slice (X) does not select A: only the in-batch REGISTER makes the FULL reach it.
        let result = deliver(try acceptedUpdate(), to: F.sonB1, state: .unregistered)
        #expect(result.operations == [.register, .full])
        #expect(result.final == .synchronized)
    }

    @Test("§2.6.3 accepted update: b1 synchronized gets only the REGISTER and stays synchronized")
    func acceptedUpdateSynchronizedSon() throws {
        let result = deliver(try acceptedUpdate(), to: F.sonB1, state: .synchronized)
        #expect(result.operations == [.register])
        #expect(result.final == .synchronized)
    }

    @Test("§2.6.3 accepted update: b2 synchronized gets only the PARTIAL; the father only the PARTIAL")
    func acceptedUpdateOthers() throws {
        let b2 = deliver(try acceptedUpdate(), to: F.son("b2", bit: 2, topic: "A"), state: .synchronized)
        #expect(b2.operations == [.partial] && b2.final == .synchronized)
        let b2Unsynced = deliver(try acceptedUpdate(), to: F.son("b2", bit: 2, topic: "A"), state: .unsynchronized)
        #expect(b2Unsynced.operations == [.full] && b2Unsynced.final == .synchronized)
        let father = deliver(try acceptedUpdate(), to: F.father, state: .unregistered)
        #expect(father.operations == [.partial])
    }

    /// REGISTER(desynchronize) and FULL, emitted when son b1's update is rejected (DESIGN rule 6).
    private func rejectedUpdate() throws -> [Delta] {
        [try F.delta(.register, ["#arbor.son.b1"], registration: .desynchronize), try F.delta(.full, ["A"])]
    }

    @Test("rule 6: rejected update: synchronized b1 gets the FULL again; others nothing new")
    func rejectedUpdateScenario() throws {
        let b1 = deliver(try rejectedUpdate(), to: F.sonB1, state: .synchronized)
        #expect(b1.operations == [.register, .full] && b1.final == .synchronized)
        let b2 = deliver(try rejectedUpdate(), to: F.son("b2", bit: 2, topic: "A"), state: .synchronized)
        #expect(b2.operations.isEmpty && b2.final == .synchronized)
        let b2Unsynced = deliver(try rejectedUpdate(), to: F.son("b2", bit: 2, topic: "A"), state: .unsynchronized)
        #expect(b2Unsynced.operations == [.full])
        let father = deliver(try rejectedUpdate(), to: F.father, state: .unregistered)
        #expect(father.operations.isEmpty)
    }

    @Test("§2.6.3 create from son b1: father and selecting b2 get it, b1 does not")
    func createFromSon() throws {
        let create = [try F.delta(.create, ["#arbor.father", "#arbor.notson.b1", "A"])]
        #expect(deliver(create, to: F.father, state: .unregistered).operations == [.create])
        let b2 = deliver(create, to: F.son("b2", bit: 2, topic: "A"), state: .unregistered)
        #expect(b2.operations == [.create] && b2.final == .synchronized)
        let b1 = deliver(create, to: F.son("b1", bit: 1, topic: "A"), state: .unregistered)
        #expect(b1.operations.isEmpty && b1.final == .unregistered)
    }
}
