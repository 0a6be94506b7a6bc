import ArborCore
import ArborTesting
import Foundation

/// Clients and delta builders shared by the routing tests.
enum RoutingFixtures {
    /// The entity most tests route.
    static let entity = Fixtures.id(1)

    /// A first-class delta of `operation` with the given topics list entries.
    static func delta(
        _ operation: DeltaOperation, _ topics: [String], id: UUID = entity, registration: RegistrationChange? = nil
    ) throws -> Delta {
        Delta(
            operation: operation, entityClass: "Customer", techId: id, updateTime: Fixtures.time(1),
            topics: try TopicsList(topics), registration: registration
        )
    }

    /// A buffer at `sequence` holding `deltas`.
    static func buffer(_ sequence: Int64, _ deltas: [Delta]) -> DeltaBuffer {
        DeltaBuffer(schemaName: "retail-v1", originSite: "center", sequence: sequence, deltas: deltas)
    }

    static func bit(_ number: Int) -> ClientBit {
        guard let bit = ClientBit(number) else { preconditionFailure("test bit \(number) out of range") }
        return bit
    }

    /// An application edge without registration, subscribed to `A*!B`.
    static let plainEdge = RoutingClient.unregistered(slice: .and(.topic("A"), .not("B")))
    /// A registered application edge (bit 3) subscribed to `A*!B`, not a son site.
    static let registeredEdge = RoutingClient.registered(bit(3), slice: .and(.topic("A"), .not("B")))
    /// The father reading a son's log with an unregistered edge: subscribed to `arbor.father`.
    static let father = RoutingClient.unregistered(slice: .topic("arbor.father"))

    /// Son `id` registered with `bit`, subscribed to `<topic>*!arbor.notson.<id>` (DESIGN rule 5).
    static func son(_ id: String, bit number: Int, topic: String = "X") -> RoutingClient {
        RoutingClient.registered(
            bit(number), slice: .and(.topic(topic), .not(SiteTopics.sliceName(SiteTopics.negation(son: id)))),
            namingTopic: SiteTopics.naming(son: id))
    }

    /// `T1*!T2+T3`, which is `(T1*!T2)+T3` and selects `,T2,T3,` (DESIGN rule 1).
    static let t1NotT2OrT3 = TopicsSlice.or(.and(.topic("T1"), .not("T2")), .topic("T3"))
    /// `T1+!T2`: selects `,T1,T2,` and every entity without `T2`.
    static let t1OrNotT2 = TopicsSlice.or(.topic("T1"), .not("T2"))
    /// An unregistered edge subscribed to `T1*!T2+T3`.
    static let plainT1NotT2OrT3 = RoutingClient.unregistered(slice: t1NotT2OrT3)
    /// A registered edge (bit 6) subscribed to `T1*!T2+T3`.
    static let registeredT1NotT2OrT3 = RoutingClient.registered(bit(6), slice: t1NotT2OrT3)

    /// Son b1 (bit 1) subscribed to `X*!Y*!arbor.notson.b1`: it negates the application topic Y.
    static let sonB1NotY = RoutingClient.registered(
        bit(1), slice: .and(.and(.topic("X"), .not("Y")), .not(SiteTopics.sliceName(SiteTopics.negation(son: "b1")))),
        namingTopic: SiteTopics.naming(son: "b1"))

    static let sonB1 = son("b1", bit: 1)
    static let sonB2 = son("b2", bit: 2)
}
