import ArborCore
import ArborTesting
import Foundation
import Testing

/// One expected emitted delta: operation, topics entries, old topics, registration change.
struct ExpectedDelta: Sendable, CustomStringConvertible {
    var operation: DeltaOperation
    var topics: [String]
    var oldTopics: [String]?
    var registration: RegistrationChange?

    var description: String { "\(operation)\(topics)" }
}

/// One row of the emission tables (§2.6.1–§2.6.3 as refined by the merge brief).
struct EmissionRow: Sendable, CustomTestStringConvertible {
    var source: DeltaSource
    var outcome: MergeOutcome
    var expected: [ExpectedDelta]

    var testDescription: String { "\(source) \(outcome) → \(expected)" }
}

private let father = SiteTopics.father
private let notSon = SiteTopics.negation(son: MergeFixtures.son)
private let naming = SiteTopics.naming(son: MergeFixtures.son)

private let rows: [EmissionRow] = [
    EmissionRow(source: .local, outcome: .created, expected: [ExpectedDelta(operation: .create, topics: [father, "A"])]),
    EmissionRow(source: .local, outcome: .accepted, expected: [
        ExpectedDelta(operation: .partial, topics: [father, "B"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["B"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .local, outcome: .partlyAccepted, expected: [
        ExpectedDelta(operation: .partial, topics: [father, "A"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["A"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .local, outcome: .rejected, expected: []),
    EmissionRow(source: .local, outcome: .unchanged, expected: []),
    EmissionRow(source: .father, outcome: .created, expected: [ExpectedDelta(operation: .create, topics: ["A"])]),
    EmissionRow(source: .father, outcome: .accepted, expected: [
        ExpectedDelta(operation: .partial, topics: ["B"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["B"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .father, outcome: .partlyAccepted, expected: [
        ExpectedDelta(operation: .partial, topics: ["A"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["A"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .father, outcome: .rejected, expected: []),
    EmissionRow(source: .father, outcome: .unchanged, expected: []),
    EmissionRow(source: .son(clientId: MergeFixtures.son), outcome: .created, expected: [
        ExpectedDelta(operation: .register, topics: [naming], registration: .synchronize),
        ExpectedDelta(operation: .create, topics: [father, notSon, "A"]),
    ]),
    EmissionRow(source: .son(clientId: MergeFixtures.son), outcome: .accepted, expected: [
        ExpectedDelta(operation: .register, topics: [naming], registration: .registerIfUnregistered),
        ExpectedDelta(operation: .partial, topics: [father, notSon, "B"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["B"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .son(clientId: MergeFixtures.son), outcome: .partlyAccepted, expected: [
        ExpectedDelta(operation: .register, topics: [naming], registration: .desynchronize),
        ExpectedDelta(operation: .partial, topics: [father, notSon, "A"], oldTopics: ["A"]),
        ExpectedDelta(operation: .full, topics: ["A"], oldTopics: ["A"]),
    ]),
    EmissionRow(source: .son(clientId: MergeFixtures.son), outcome: .rejected, expected: [
        ExpectedDelta(operation: .register, topics: [naming], registration: .desynchronize),
        ExpectedDelta(operation: .full, topics: ["A"], oldTopics: nil),
    ]),
    EmissionRow(source: .son(clientId: MergeFixtures.son), outcome: .unchanged, expected: []),
]

/// A local entity and incoming delta that produce `outcome`: accepted rewrites `status` and the
/// topics (A → B); partly accepted rewrites `status` but loses on `priority`.
private func scenario(for outcome: MergeOutcome) -> (local: EntityState?, delta: Delta) {
    let local = MergeFixtures.entity(["status": (.text("open"), 10), "priority": (.int(1), 10)])
    switch outcome {
    case .created:
        return (nil, MergeFixtures.delta(.create, ["status": (.text("new"), 5)], topics: Fixtures.topics("#arbor.father", "A"), topicsTime: 5))
    case .accepted:
        return (local, MergeFixtures.delta(.partial, ["status": (.text("paid"), 20)], topics: Fixtures.topics("#arbor.father", "B"), topicsTime: 20))
    case .partlyAccepted:
        return (local, MergeFixtures.delta(.partial, ["status": (.text("paid"), 20), "priority": (.int(9), 5)]))
    case .rejected:
        return (local, MergeFixtures.delta(.partial, ["status": (.text("paid"), 5)]))
    default:
        return (local, MergeFixtures.delta(.partial, ["status": (.text("open"), 10)]))
    }
}

@Suite("EntityMerge emission tables")
struct EntityMergeEmissionTests {
    @Test("emits exactly the table's deltas", arguments: rows)
    func emissionRow(_ row: EmissionRow) throws {
        let (local, delta) = scenario(for: row.outcome)
        let result = EntityMerge.apply(delta, to: local, from: row.source)
        #expect(result.outcome == row.outcome)
        let state = try #require(result.state)
        #expect(result.deltas.count == row.expected.count, "\(result.deltas.map(\.operation))")
        for (emitted, expected) in zip(result.deltas, row.expected) {
            #expect(emitted.operation == expected.operation)
            #expect(emitted.topics.entries == expected.topics)
            #expect(emitted.oldTopics?.entries == expected.oldTopics)
            #expect(emitted.registration == expected.registration)
            #expect(emitted.updateTime == state.updateTime)
            #expect(emitted.techId == MergeFixtures.techId && emitted.entityClass == MergeFixtures.entityClass)
            switch emitted.operation {
            case .partial:
                #expect(emitted.fields.keys.sorted() == result.acceptedParts.filter { $0 != "topics" }.sorted())
            case .full, .create:
                #expect(emitted.fields == state.fields)
                #expect(emitted.topicsTime == state.topicsTime)
            default:
                #expect(emitted.fields.isEmpty)
            }
        }
    }

    @Test("PARTIAL carries only the accepted fields and topics, with their incoming times")
    func partialContent() throws {
        let local = MergeFixtures.entity(["status": (.text("open"), 10), "priority": (.int(1), 10), "number": (.bigint(7), 10)])
        let delta = MergeFixtures.delta(
            .partial, ["status": (.text("paid"), 20), "priority": (.int(9), 5)], topics: Fixtures.topics("B"), topicsTime: 15
        )
        let result = EntityMerge.apply(delta, to: local, from: .father)
        let partial = try #require(result.deltas.first)
        #expect(partial.operation == .partial)
        #expect(partial.fields == MergeFixtures.timed(["status": (.text("paid"), 20)]))
        #expect(partial.topicsTime == MergeFixtures.t(15))
        #expect(result.acceptedParts == ["status", "topics"])
        #expect(result.rejectedParts == ["priority"])
    }

    @Test("a PARTIAL without a topics write carries no topics time")
    func partialWithoutTopics() throws {
        let local = MergeFixtures.entity(["status": (.text("open"), 10)])
        let result = EntityMerge.apply(MergeFixtures.delta(.update, ["status": (.text("paid"), 20)]), to: local, from: .local)
        #expect(try #require(result.deltas.first).topicsTime == nil)
    }

    @Test("FULL carries every field, the topics time, every sub-entity and inCache")
    func fullContent() throws {
        let local = MergeFixtures.entity(
            ["status": (.text("open"), 10), "number": (.bigint(3), 4)], topicsTime: 2, inCache: false,
            subEntities: [MergeFixtures.line(1, ["sku": (.text("x"), 3)]), MergeFixtures.line(2, deletedAt: 6)]
        )
        let result = EntityMerge.apply(MergeFixtures.delta(.partial, ["status": (.text("paid"), 20)]), to: local, from: .father)
        let full = try #require(result.deltas.last)
        #expect(full.operation == .full)
        #expect(full.fields == MergeFixtures.timed(["status": (.text("paid"), 20), "number": (.bigint(3), 4)]))
        #expect(full.topicsTime == MergeFixtures.t(2))
        #expect(full.inCache == false)
        #expect(full.subEntities == [
            MergeFixtures.lineDelta(.create, 1, ["sku": (.text("x"), 3)]), MergeFixtures.lineDelta(.delete, 2, deletedAt: 6),
        ])
        #expect(full.updateTime == MergeFixtures.t(20))
    }

    @Test("a PARTIAL or UPDATE for an absent entity asks for it whole and emits nothing", arguments: [
        (DeltaOperation.partial, DeltaSource.father), (.update, .local), (.partial, .son(clientId: "s1")), (.update, .son(clientId: "s1")),
    ])
    func missingEntity(_ operation: DeltaOperation, _ source: DeltaSource) {
        let result = EntityMerge.apply(MergeFixtures.delta(operation, ["status": (.text("x"), 5)]), to: nil, from: source)
        #expect(result.outcome == .missingEntity)
        #expect(result.state == nil)
        #expect(result.deltas.isEmpty)
    }

    @Test("REGISTER and DELETE deltas are not merged", arguments: [DeltaOperation.register, .delete], [true, false])
    func notMerged(_ operation: DeltaOperation, _ present: Bool) {
        let local = present ? MergeFixtures.entity(["status": (.text("open"), 10)]) : nil
        let result = EntityMerge.apply(MergeFixtures.delta(operation, ["status": (.text("gone"), 50)]), to: local, from: .son(clientId: "s1"))
        #expect(result.outcome == .unchanged)
        #expect(result.state == local)
        #expect(result.deltas.isEmpty)
    }

    @Test("a DELETE from the father removes the local copy and logs this site's own DELETE (issue 10)")
    func fatherDeleteRemovesTheCopy() throws {
        let local = MergeFixtures.entity(["status": (.text("open"), 10)])
        let result = EntityMerge.apply(MergeFixtures.delta(.delete, [:]), to: local, from: .father)
        #expect(result.purges)
        #expect(result.state == nil)
        let logged = try #require(result.deltas.first)
        #expect(result.deltas.count == 1 && logged.operation == .delete && logged.techId == local.techId)
        #expect(logged.topics == local.topics, "its sons and cache servers see the topics it had")
        let absent = EntityMerge.apply(MergeFixtures.delta(.delete, [:]), to: nil, from: .father)
        #expect(!absent.purges && absent.deltas.isEmpty && absent.outcome == .unchanged, "an entity the site lacks: nothing")
        #expect(!EntityMerge.apply(MergeFixtures.delta(.delete, [:]), to: local, from: .local).purges)
    }

    @Test("a created entity stores only application topics and the sender's inCache")
    func createdStripsSiteTopics() throws {
        let delta = MergeFixtures.delta(
            .create, ["status": (.text("new"), 5)], topics: Fixtures.topics("#arbor.father", "#arbor.notson.x", "A", "C"), inCache: false
        )
        let result = EntityMerge.apply(delta, to: nil, from: .father)
        let state = try #require(result.state)
        #expect(state.topics.entries == ["A", "C"])
        #expect(state.topicsTime == MergeFixtures.t(5))
        #expect(state.inCache == false)
        #expect(try #require(result.deltas.first).oldTopics == nil)
    }

    @Test("inCache is kept from the local entity on merge")
    func inCacheKept() throws {
        let local = MergeFixtures.entity(["status": (.text("open"), 10)], inCache: false)
        let result = EntityMerge.apply(MergeFixtures.delta(.full, ["status": (.text("paid"), 20)], inCache: true), to: local, from: .father)
        #expect(try #require(result.state).inCache == false)
    }
}
