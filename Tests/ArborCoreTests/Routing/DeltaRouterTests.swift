import ArborCore
import Testing

/// One routing rule: a delta of `operation` with `topics`, a client in `state`, and the decision.
struct RouteRow: Sendable, CustomTestStringConvertible {
    /// What the row checks, with the guide section or DESIGN rule it comes from.
    let description: String
    let operation: DeltaOperation
    let topics: [String]
    var change: RegistrationChange? = nil
    let client: RoutingClient
    let state: RegistrationState
    let expected: RoutingDecision

    var testDescription: String { description }
}

private typealias F = RoutingFixtures

/// Rows over the plain unregistered edge `A*!B` (§2.1.3.1).
private let unregisteredRows: [RouteRow] = [
    RouteRow(description: "§2.1.3.1 unregistered: selected CREATE delivered, no change", operation: .create, topics: ["A"], client: F.plainEdge, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.1.3.1 unregistered: unselected CREATE skipped", operation: .create, topics: ["C"], client: F.plainEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3.1 unregistered: selected PARTIAL delivered (assumed synchronized)", operation: .partial, topics: ["A"], client: F.plainEdge, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.1.3.1 unregistered: unselected PARTIAL skipped", operation: .partial, topics: ["C"], client: F.plainEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3.1 unregistered: selected UPDATE delivered", operation: .update, topics: ["A"], client: F.plainEdge, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.1.3.1 unregistered: unselected UPDATE skipped", operation: .update, topics: ["C"], client: F.plainEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3.1 unregistered: selected FULL never sent", operation: .full, topics: ["A"], client: F.plainEdge, state: .unregistered, expected: .skip(.notForUnregisteredClients)),
    RouteRow(description: "§2.1.3.1 unregistered: unselected FULL never sent", operation: .full, topics: ["C"], client: F.plainEdge, state: .unregistered, expected: .skip(.notForUnregisteredClients)),
    RouteRow(description: "§2.1.3.1 unregistered: REGISTER never sent even when its slice names the topic", operation: .register, topics: ["#arbor.son.b1"], client: .unregistered(slice: .topic("arbor.son.b1")), state: .unregistered, expected: .skip(.notForUnregisteredClients)),
    RouteRow(description: "§2.1.3.1 unregistered: registration state passed in is ignored", operation: .partial, topics: ["A"], client: F.plainEdge, state: .unsynchronized, expected: .deliver(nil)),
    RouteRow(description: "§2.5 rule 8: DELETE never sent to an unregistered client", operation: .delete, topics: ["A"], client: F.plainEdge, state: .unregistered, expected: .skip(.purgeOnly)),
    RouteRow(description: "rule 1: A*!B does not select ,A,B,: CREATE skipped for an unregistered client", operation: .create, topics: ["A", "B"], client: F.plainEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "rule 1: A*!B does not select ,A,B,: PARTIAL skipped for an unregistered client", operation: .partial, topics: ["A", "B"], client: F.plainEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "rule 1: T1*!T2+T3 selects ,T2,T3,: CREATE delivered to an unregistered client", operation: .create, topics: ["T2", "T3"], client: F.plainT1NotT2OrT3, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "rule 1: T1+!T2 selects ,T1,T2,: PARTIAL delivered to an unregistered client", operation: .partial, topics: ["T1", "T2"], client: .unregistered(slice: F.t1OrNotT2), state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.1.1.1 rule 1: #P read as P by the delta server", operation: .create, topics: ["#P"], client: .unregistered(slice: .topic("P")), state: .unregistered, expected: .deliver(nil)),
]

/// Rows over the registered edge `A*!B` (bit 3), by operation and registration state.
private let registeredRows: [RouteRow] = [
    RouteRow(description: "§2.6.1 registered: selected CREATE delivered and synchronizes", operation: .create, topics: ["A"], client: F.registeredEdge, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.1 registered: unselected CREATE on unregistered entity skipped", operation: .create, topics: ["C"], client: F.registeredEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3 registered: unselected CREATE delivered to unsynchronized registration", operation: .create, topics: ["C"], client: F.registeredEdge, state: .unsynchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.1.3 registered: unselected CREATE delivered to synchronized registration", operation: .create, topics: ["C"], client: F.registeredEdge, state: .synchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.1.3 rule 1: !B withholds CREATE from a synchronized client and desynchronizes it", operation: .create, topics: ["A", "B"], client: F.registeredEdge, state: .synchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "rule 1: T1*!T2+T3 selects ,T2,T3,: CREATE delivered to a registered client seeing it first", operation: .create, topics: ["T2", "T3"], client: F.registeredT1NotT2OrT3, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "rule 1: T1*!T2+T3 selects ,T2,T3,: FULL delivered to a registered client seeing it first", operation: .full, topics: ["T2", "T3"], client: F.registeredT1NotT2OrT3, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "rule 1: T1*!T2+T3 selects ,T2,T3,: PARTIAL delivered to a synchronized client", operation: .partial, topics: ["T2", "T3"], client: F.registeredT1NotT2OrT3, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "rule 1: T1+!T2 selects ,T1,T2,: CREATE delivered to a registered client", operation: .create, topics: ["T1", "T2"], client: .registered(F.bit(4), slice: F.t1OrNotT2), state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "rule 1: T1+!T2 selects ,C,: CREATE delivered to a registered client", operation: .create, topics: ["C"], client: .registered(F.bit(4), slice: F.t1OrNotT2), state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "rule 1: T1*!T2+T3 does not select ,T2,: PARTIAL withheld from a synchronized client, which is desynchronized", operation: .partial, topics: ["T2"], client: F.registeredT1NotT2OrT3, state: .synchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "rule 1: an unselected, negated delta on an entity the client is not registered on is simply not selected", operation: .full, topics: ["A", "B"], client: F.registeredEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.6.1 rule 4: PARTIAL to synchronized client delivered", operation: .partial, topics: ["A"], client: F.registeredEdge, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "§2.1.3 registration keeps PARTIAL flowing after the entity leaves the slice", operation: .partial, topics: ["C"], client: F.registeredEdge, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "§2.6.1 rule 4: PARTIAL skipped by unsynchronized client (FULL follows)", operation: .partial, topics: ["A"], client: F.registeredEdge, state: .unsynchronized, expected: .skip(.awaitingFull)),
    RouteRow(description: "§2.6.1 rule 4: unselected PARTIAL skipped by unsynchronized client", operation: .partial, topics: ["C"], client: F.registeredEdge, state: .unsynchronized, expected: .skip(.awaitingFull)),
    RouteRow(description: "§2.6.1 rule 4: newly selected entity: PARTIAL skipped (FULL follows)", operation: .partial, topics: ["A"], client: F.registeredEdge, state: .unregistered, expected: .skip(.awaitingFull)),
    RouteRow(description: "§2.5 registered: unselected PARTIAL on unregistered entity skipped", operation: .partial, topics: ["C"], client: F.registeredEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3 rule 1: !B withholds PARTIAL from a synchronized client and desynchronizes it", operation: .partial, topics: ["A", "B"], client: F.registeredEdge, state: .synchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "§2.6.1 registration keeps UPDATE flowing after the entity leaves the slice", operation: .update, topics: ["C"], client: F.registeredEdge, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "§2.6.1 rule 4: UPDATE skipped by unsynchronized client", operation: .update, topics: ["A"], client: F.registeredEdge, state: .unsynchronized, expected: .skip(.awaitingFull)),
    RouteRow(description: "§2.6.1 rule 4: UPDATE skipped by selected but unregistered client", operation: .update, topics: ["A"], client: F.registeredEdge, state: .unregistered, expected: .skip(.awaitingFull)),
    RouteRow(description: "§2.1.3 rule 1: !B withholds UPDATE from a synchronized client and desynchronizes it", operation: .update, topics: ["A", "B"], client: F.registeredEdge, state: .synchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "§2.6.1 rule 4: FULL skipped by synchronized client (it got the PARTIAL)", operation: .full, topics: ["A"], client: F.registeredEdge, state: .synchronized, expected: .skip(.alreadySynchronized)),
    RouteRow(description: "§2.6.1 rule 4: unselected FULL skipped by synchronized client", operation: .full, topics: ["C"], client: F.registeredEdge, state: .synchronized, expected: .skip(.alreadySynchronized)),
    RouteRow(description: "§2.6.1 rule 4: FULL to unsynchronized client delivered, synchronizes", operation: .full, topics: ["A"], client: F.registeredEdge, state: .unsynchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.1 rule 4: unselected FULL to unsynchronized client delivered", operation: .full, topics: ["C"], client: F.registeredEdge, state: .unsynchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.1 rule 4: FULL to client seeing the entity first delivered, synchronizes", operation: .full, topics: ["A"], client: F.registeredEdge, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.1 unselected FULL on unregistered entity skipped", operation: .full, topics: ["C"], client: F.registeredEdge, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.1.3 rule 1: !B withholds FULL from an unsynchronized client, which stays unsynchronized", operation: .full, topics: ["A", "B"], client: F.registeredEdge, state: .unsynchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "§2.1.3 rule 1: !B withholds FULL from a synchronized client too", operation: .full, topics: ["B", "C"], client: F.registeredEdge, state: .synchronized, expected: .withhold(.desynchronize)),
    RouteRow(description: "issue 10: DELETE sent to a registered client synchronized on it (it drops its copy)", operation: .delete, topics: ["A"], client: F.registeredEdge, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "issue 10: DELETE sent to a registered client whatever its state (the purge removed the registrations)", operation: .delete, topics: ["C"], client: F.registeredEdge, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.1.1.1 rule 1: #B in a delta counts as B and is withheld by !B", operation: .partial, topics: ["A", "#B"], client: F.registeredEdge, state: .synchronized, expected: .withhold(.desynchronize)),
]

/// REGISTER addressing and loop prevention with the site topics (§2.6.3, DESIGN rule 5).
private let siteRows: [RouteRow] = [
    RouteRow(description: "§2.6.3 REGISTER without change defaults to registerIfUnregistered", operation: .register, topics: ["#arbor.son.b1"], client: F.sonB1, state: .unregistered, expected: .deliver(.registerIfUnregistered)),
    RouteRow(description: "§2.6.3 REGISTER carries registerIfUnregistered", operation: .register, topics: ["#arbor.son.b1"], change: .registerIfUnregistered, client: F.sonB1, state: .synchronized, expected: .deliver(.registerIfUnregistered)),
    RouteRow(description: "§2.6.3 rule 6: REGISTER carries desynchronize (rejected update)", operation: .register, topics: ["#arbor.son.b1"], change: .desynchronize, client: F.sonB1, state: .synchronized, expected: .deliver(.desynchronize)),
    RouteRow(description: "§2.6.3 rule 6: REGISTER carries synchronize (create from son)", operation: .register, topics: ["#arbor.son.b1"], change: .synchronize, client: F.sonB1, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.3 REGISTER carries unregister", operation: .register, topics: ["#arbor.son.b1"], change: .unregister, client: F.sonB1, state: .unsynchronized, expected: .deliver(.unregister)),
    RouteRow(description: "§2.1.1.1 REGISTER naming topic written without # also addresses", operation: .register, topics: ["arbor.son.b1"], client: F.sonB1, state: .unregistered, expected: .deliver(.registerIfUnregistered)),
    RouteRow(description: "§2.6.3 REGISTER for son b1 not sent to son b2", operation: .register, topics: ["#arbor.son.b1"], client: F.sonB2, state: .synchronized, expected: .skip(.notAddressed)),
    RouteRow(description: "§2.6.3 REGISTER not sent to a registered client without naming topic", operation: .register, topics: ["#arbor.son.b1"], client: .registered(F.bit(3), slice: .topic("arbor.son.b1")), state: .unregistered, expected: .skip(.notAddressed)),
    RouteRow(description: "§2.6.3 rule 5: son b1's own PARTIAL not sent back to it, registration unchanged", operation: .partial, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.sonB1, state: .synchronized, expected: .skip(.fromThisSon)),
    RouteRow(description: "§2.6.3 rule 5: son b1's own CREATE not sent back to it, registration unchanged", operation: .create, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.sonB1, state: .synchronized, expected: .skip(.fromThisSon)),
    RouteRow(description: "rule 1+5: son b1's own PARTIAL adding its negated application topic Y changes nothing either", operation: .partial, topics: ["#arbor.father", "#arbor.notson.b1", "X", "Y"], client: F.sonB1NotY, state: .synchronized, expected: .skip(.fromThisSon)),
    RouteRow(description: "rule 1: a PARTIAL from elsewhere adding son b1's negated application topic Y reaches it, so it drops the entity", operation: .partial, topics: ["X", "Y"], client: F.sonB1NotY, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "rule 1: the FULL adding son b1's negated application topic Y reaches it unsynchronized, so it drops the entity", operation: .full, topics: ["X", "Y"], client: F.sonB1NotY, state: .unsynchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "rule 1: a PARTIAL adding son b1's negated topic Y is not sent unsynchronized: it waits for the FULL", operation: .partial, topics: ["X", "Y"], client: F.sonB1NotY, state: .unsynchronized, expected: .skip(.awaitingFull)),
    RouteRow(description: "rule 5: son b1's own PARTIAL on an entity it is not registered on is not selected", operation: .partial, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.sonB1, state: .unregistered, expected: .skip(.notSelected)),
    RouteRow(description: "§2.6.3 rule 5: the FULL (no site topics) still reaches unsynchronized son b1", operation: .full, topics: ["X"], client: F.sonB1, state: .unsynchronized, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.3 rule 5: son b1's PARTIAL reaches synchronized son b2", operation: .partial, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.sonB2, state: .synchronized, expected: .deliver(nil)),
    RouteRow(description: "§2.6.3 rule 5: son b1's CREATE reaches selecting son b2", operation: .create, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.sonB2, state: .unregistered, expected: .deliver(.synchronize)),
    RouteRow(description: "§2.6.1 rule 9: father gets a son's CREATE through the father topic", operation: .create, topics: ["#arbor.father", "#arbor.notson.b1", "X"], client: F.father, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.6.1 rule 9: father gets a son's PARTIAL", operation: .partial, topics: ["#arbor.father", "X"], client: F.father, state: .unregistered, expected: .deliver(nil)),
    RouteRow(description: "§2.6.1 §2.1.3.1: father never gets the FULL", operation: .full, topics: ["X"], client: F.father, state: .unregistered, expected: .skip(.notForUnregisteredClients)),
    RouteRow(description: "§2.6.2 a CREATE received from the father (no father topic) is not sent back up", operation: .create, topics: ["X"], client: F.father, state: .unregistered, expected: .skip(.notSelected)),
]

@Suite("DeltaRouter")
struct DeltaRouterTests {
    static let rows = unregisteredRows + registeredRows + siteRows

    @Test("routing table", arguments: rows)
    func routesByTheTable(_ row: RouteRow) throws {
        let delta = try RoutingFixtures.delta(row.operation, row.topics, registration: row.change)
        let decision = DeltaRouter.route(delta, to: row.client, registration: row.state)
        #expect(decision == row.expected, "\(row.description): got \(decision), expected \(row.expected)")
    }

    /// Invariants over every operation × state × topics combination, whatever the table says.
    @Test("invariants hold for every operation, state and topics combination")
    func invariants() throws {
        let topicSets: [[String]] = [
            ["A"], ["C"], ["A", "B"], ["#arbor.son.b1"], ["#arbor.notson.b1", "X"], ["#arbor.notson.b1", "X", "Y"],
            ["X", "Y"], ["T2", "T3"], ["T1", "T2"], ["T2"], [],
        ]
        let clients = [
            F.plainEdge, F.registeredEdge, F.sonB1, F.sonB2, F.sonB1NotY, F.father, F.plainT1NotT2OrT3, F.registeredT1NotT2OrT3,
            .registered(F.bit(4), slice: F.t1OrNotT2),
        ]
        for operation in DeltaOperation.allCases {
            for topics in topicSets {
                for client in clients {
                    for state in RegistrationState.allCases {
                        let delta = try RoutingFixtures.delta(operation, topics)
                        let decision = DeltaRouter.route(delta, to: client, registration: state)
                        let context = "\(operation) \(topics) \(client.slice) \(state) → \(decision)"
                        if operation == .delete { #expect(decision == (client.isRegistered ? .deliver(nil) : .skip(.purgeOnly)), "\(context)") }
                        let selected = client.slice.selectsInSteadyState(delta.topics)
                        let negated = client.negatedTopics.intersection(delta.topics.deltaServerTopics)
                        if !negated.isEmpty, !selected, client.isRegistered, state != .unregistered,
                           operation != .delete, operation != .register {
                            // The `!T` exception: withheld from an edge; only an application topic changes the
                            // registration. A son is routed as registered, to learn it must drop the entity.
                            if negated.contains(where: SiteTopics.isSiteTopic) {
                                #expect(decision == .skip(.fromThisSon), "\(context)")
                            } else if client.isSon {
                                let expected: RoutingDecision = switch (operation, state) {
                                case (.create, _): .deliver(.synchronize)
                                case (.partial, .synchronized), (.update, .synchronized): .deliver(nil)
                                case (.partial, _), (.update, _): .skip(.awaitingFull)
                                case (.full, .synchronized): .skip(.alreadySynchronized)
                                default: .deliver(.synchronize)
                                }
                                #expect(decision == expected, "\(context)")
                            } else {
                                #expect(decision == .withhold(.desynchronize), "\(context)")
                            }
                        }
                        if selected, client.isRegistered, state == .unregistered, operation == .create || operation == .full {
                            // Selection alone delivers a CREATE or FULL, whatever the slice negates.
                            #expect(decision == .deliver(.synchronize), "\(context)")
                        }
                        if decision.isDelivered, operation != .register, operation != .delete {
                            #expect(selected || state != .unregistered, "\(context)")
                        }
                        if !client.isRegistered {
                            #expect(decision.registrationChange == nil, "\(context)")
                            if operation == .full || operation == .register { #expect(!decision.isDelivered, "\(context)") }
                        }
                        if operation == .partial || operation == .update, client.isRegistered, state != .synchronized {
                            #expect(!decision.isDelivered, "\(context)")
                        }
                        if operation == .full, state == .synchronized { #expect(!decision.isDelivered, "\(context)") }
                    }
                }
            }
        }
    }

    @Test("RoutingClient precomputes negated topics and strips # from the naming topic")
    func clientNormalisesTopics() {
        let client = RoutingClient.registered(F.bit(5), slice: .or(.and(.topic("A"), .not("B")), .not("C")), namingTopic: "#arbor.son.s")
        #expect(client.negatedTopics == ["B", "C"])
        #expect(client.namingTopic == "arbor.son.s")
        #expect(client.bit == F.bit(5))
        #expect(F.father.bit == nil && !F.father.isRegistered)
    }
}
