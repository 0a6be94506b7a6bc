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

    static let sonB1 = son("b1", bit: 1)
    static let sonB2 = son("b2", bit: 2)
}
