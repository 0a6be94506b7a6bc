import ArborCore
import ArborTesting
import Foundation
import Testing

/// The `!T` decisions of DESIGN rule 1 (issue 10 item 3) replayed through
/// ``FetchRoutingStateMachine``, one acknowledged fetch per transaction, so registration
/// changes carry from one transaction to the next as on the delta server.
@Suite("Negated topics in steady state (rule 1)")
struct NegatedTopicRoutingTests {
    private typealias F = RoutingFixtures

    /// A client session acknowledging every batch, as an edge does.
    private struct Session {
        var machine: FetchRoutingStateMachine
        var states: [UUID: RegistrationState]
        var sequence: Int64 = 0

        init(_ client: RoutingClient, state: RegistrationState) {
            machine = FetchRoutingStateMachine(client: client, acknowledgedSequence: 0)
            states = [F.entity: state]
        }

        /// Routes one transaction and acknowledges it; returns the delivered operations.
        mutating func transaction(_ deltas: [Delta]) -> [DeltaOperation] {
            sequence += 1
            let current = states
            let batch = machine.route(buffers: [F.buffer(sequence, deltas)]) { current[$0] ?? .unregistered }
            if case .commit(let committed) = machine.fetchRequested(fromSequence: batch.lastSequence) {
                states.merge(committed) { $1 }
            } else {
                Issue.record("acknowledging \(batch.lastSequence) did not commit")
            }
            return batch.deliveredDeltas.map(\.operation)
        }

        var state: RegistrationState { states[F.entity] ?? .unregistered }
    }

    /// PARTIAL then FULL of an update at the father that sets the topics to `topics`.
    private func update(_ topics: [String], oldTopics: [String]) throws -> [Delta] {
        var partial = try F.delta(.partial, topics)
        partial.oldTopics = try TopicsList(oldTopics)
        var full = try F.delta(.full, topics)
        full.oldTopics = try TopicsList(oldTopics)
        return [partial, full]
    }

    @Test("T1*!T2+T3: the CREATE of ,T2,T3, is delivered in steady state, as a load returns it")
    func createSelectedDespiteNegation() throws {
        var registered = Session(F.registeredT1NotT2OrT3, state: .unregistered)
        #expect(registered.transaction([try F.delta(.create, ["T2", "T3"])]) == [.create])
        #expect(registered.state == .synchronized)
        #expect(registered.transaction(try update(["T2", "T3"], oldTopics: ["T2", "T3"])) == [.partial])
        var plain = Session(F.plainT1NotT2OrT3, state: .unregistered)
        #expect(plain.transaction([try F.delta(.create, ["T2", "T3"])]) == [.create])
    }

    @Test("T1+!T2: the CREATE of ,T1,T2, and of ,C, are delivered")
    func orNotSelects() throws {
        let client = RoutingClient.registered(F.bit(4), slice: F.t1OrNotT2)
        var first = Session(client, state: .unregistered)
        #expect(first.transaction([try F.delta(.create, ["T1", "T2"])]) == [.create])
        var second = Session(client, state: .unregistered)
        #expect(second.transaction([try F.delta(.create, ["C"])]) == [.create])
        var third = Session(client, state: .unregistered)
        #expect(third.transaction([try F.delta(.create, ["T2"])]).isEmpty, "T1+!T2 does not select ,T2,")
    }

    @Test("A*!X: an entity moved to ,B,X,, updated, then moved back to ,A, reaches the client as a FULL")
    func blockedThenBackGetsFull() throws {
        let leaf = RoutingClient.registered(F.bit(7), slice: .and(.topic("A"), .not("X")))
        var session = Session(leaf, state: .synchronized)
        #expect(session.transaction(try update(["B", "X"], oldTopics: ["A"])).isEmpty)
        #expect(session.state == .unsynchronized, "withheld for !X: the client may miss what follows")
        #expect(session.transaction(try update(["B", "X"], oldTopics: ["B", "X"])).isEmpty)
        #expect(session.state == .unsynchronized)
        // Back in the slice: the FULL (every field, the name set while away) and not the PARTIAL.
        #expect(session.transaction(try update(["A"], oldTopics: ["B", "X"])) == [.full])
        #expect(session.state == .synchronized)
        #expect(session.transaction(try update(["A"], oldTopics: ["A"])) == [.partial])
    }

    @Test("A*!X: an entity that leaves the slice without gaining X keeps flowing to a registered client")
    func leavingWithoutNegatedTopicKeepsFlowing() throws {
        let leaf = RoutingClient.registered(F.bit(7), slice: .and(.topic("A"), .not("X")))
        var session = Session(leaf, state: .synchronized)
        #expect(session.transaction(try update(["B"], oldTopics: ["A"])) == [.partial])
        #expect(session.state == .synchronized)
    }

    @Test("site topics: son b1's own update, even one adding its negated topic Y, leaves it synchronized")
    func ownChangeChangesNothing() throws {
        var session = Session(F.sonB1NotY, state: .synchronized)
        let own = [
            try F.delta(.partial, ["#arbor.father", "#arbor.notson.b1", "X"]),
            try F.delta(.full, ["X"]),
        ]
        #expect(session.transaction(own).isEmpty)
        #expect(session.state == .synchronized)
        let ownWithY = [
            try F.delta(.partial, ["#arbor.father", "#arbor.notson.b1", "X", "Y"]),
            try F.delta(.full, ["X", "Y"]),
        ]
        // The PARTIAL is its own change, and so is the FULL after it in the transaction: nothing changes.
        #expect(session.transaction(ownWithY).isEmpty)
        #expect(session.state == .synchronized)
        // The same change made elsewhere reaches b1 (the PARTIAL), so it drops the entity (rule 1).
        #expect(session.transaction(try update(["X", "Y"], oldTopics: ["X"])) == [.partial])
        #expect(session.state == .synchronized)
    }

    @Test("dropsRegistered: unselected entities carrying a negated application topic, never site topics")
    func dropsRegistered() throws {
        let leafSlice = TopicsSlice.and(.and(.topic("A"), .not("X")), .not("arbor.notson.b1"))
        #expect(leafSlice.negatedApplicationTopics == ["X"])
        #expect(leafSlice.dropsRegistered(try TopicsList(["B", "X"])))
        #expect(leafSlice.dropsRegistered(try TopicsList(["A", "X"])))
        #expect(!leafSlice.dropsRegistered(try TopicsList(["B"])), "left the slice without a negated topic")
        #expect(!leafSlice.dropsRegistered(try TopicsList(["#arbor.father", "#arbor.notson.b1", "A"])))
        #expect(!F.t1NotT2OrT3.dropsRegistered(try TopicsList(["T2", "T3"])), "selected: kept")
        #expect(F.t1NotT2OrT3.dropsRegistered(try TopicsList(["T2"])))
    }
}
