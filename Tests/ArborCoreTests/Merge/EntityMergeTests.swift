import ArborCore
import ArborTesting
import Foundation
import Testing

/// Per-field and topics last-writer-wins with the value tie-break.
@Suite("EntityMerge last-writer-wins")
struct EntityMergeTests {
    let local = MergeFixtures.entity(["status": (.text("open"), 10), "priority": (.int(5), 10)])

    private func merge(_ fields: [String: (FieldValue, Int64)], into local: EntityState? = nil) -> MergeResult {
        EntityMerge.apply(MergeFixtures.delta(.partial, fields), to: local ?? self.local, from: .father)
    }

    @Test("a newer write wins")
    func newerWins() throws {
        let result = merge(["status": (.text("paid"), 11)])
        #expect(result.outcome == .accepted)
        #expect(try #require(result.state).fields["status"] == TimedValue(.text("paid"), at: MergeFixtures.t(11)))
    }

    @Test("an older write is rejected and the state kept")
    func olderRejected() {
        let result = merge(["status": (.text("paid"), 9)])
        #expect(result.outcome == .rejected)
        #expect(result.rejectedParts == ["status"])
        #expect(result.state == local)
    }

    @Test("on equal times the greater value wins")
    func tieGreaterWins() throws {
        let result = merge(["status": (.text("paid"), 10)])  // "paid" > "open"
        #expect(result.outcome == .accepted)
        #expect(try #require(result.state).fields["status"]?.value == .text("paid"))
    }

    @Test("on equal times the smaller value loses")
    func tieSmallerLoses() {
        let result = merge(["status": (.text("closed"), 10)])  // "closed" < "open"
        #expect(result.outcome == .rejected)
        #expect(result.state == local)
    }

    @Test("ties resolve the same way at both sites whatever the order")
    func tieSymmetric() throws {
        let a = MergeFixtures.delta(.partial, ["priority": (.int(3), 20)])
        let b = MergeFixtures.delta(.partial, ["priority": (.bigint(1), 20)])  // bigint ranks above int
        let ab = try #require(EntityMerge.apply(b, to: EntityMerge.apply(a, to: local, from: .local).state, from: .father).state)
        let ba = try #require(EntityMerge.apply(a, to: EntityMerge.apply(b, to: local, from: .local).state, from: .father).state)
        #expect(ab == ba)
        #expect(ab.fields["priority"]?.value == .bigint(1))
    }

    @Test("the identical write is already had: unchanged, nothing emitted")
    func identicalUnchanged() {
        let result = merge(["status": (.text("open"), 10), "priority": (.int(5), 10)])
        #expect(result.outcome == .unchanged)
        #expect(result.acceptedParts.isEmpty && result.rejectedParts.isEmpty)
        #expect(result.deltas.isEmpty)
    }

    @Test("a field the local entity never had is accepted, whatever its time")
    func newFieldAccepted() throws {
        let result = merge(["number": (.bigint(42), 1)])
        #expect(result.outcome == .accepted)
        #expect(try #require(result.state).fields["number"]?.value == .bigint(42))
    }

    @Test("concurrent writes of different fields at two sites both survive")
    func differentFieldsBothSurvive() throws {
        let atSiteA = MergeFixtures.delta(.partial, ["status": (.text("paid"), 20)])
        let atSiteB = MergeFixtures.delta(.partial, ["priority": (.int(9), 21)])
        let siteA = try #require(EntityMerge.apply(atSiteA, to: local, from: .local).state)
        let siteB = try #require(EntityMerge.apply(atSiteB, to: local, from: .local).state)
        let finalA = try #require(EntityMerge.apply(atSiteB, to: siteA, from: .son(clientId: "b")).state)
        let finalB = try #require(EntityMerge.apply(atSiteA, to: siteB, from: .father).state)
        #expect(finalA == finalB)
        #expect(finalA.fields["status"]?.value == .text("paid"))
        #expect(finalA.fields["priority"]?.value == .int(9))
    }

    @Test("a partly accepted delta keeps its accepted field and the local winner")
    func partlyAcceptedKeepsAccepted() throws {
        let result = merge(["status": (.text("paid"), 20), "priority": (.int(1), 3)])
        #expect(result.outcome == .partlyAccepted)
        let state = try #require(result.state)
        #expect(state.fields["status"]?.value == .text("paid"))
        #expect(state.fields["priority"] == TimedValue(.int(5), at: MergeFixtures.t(10)))
        #expect(result.acceptedParts == ["status"] && result.rejectedParts == ["priority"])
    }

    @Test("the deleted flag merges like a field: a newer delete wins")
    func deletedFlagNewerWins() throws {
        let result = merge(["deleted": (.bool(true), 30)], into: MergeFixtures.entity(["deleted": (.bool(false), 10)]))
        #expect(result.outcome == .accepted)
        #expect(try #require(result.state).isDeleted)
    }

    @Test("the deleted flag merges like a field: an older undelete is rejected, a tie goes to true")
    func deletedFlagOlderRejected() throws {
        let deleted = MergeFixtures.entity(["deleted": (.bool(true), 30)])
        #expect(merge(["deleted": (.bool(false), 29)], into: deleted).outcome == .rejected)
        #expect(merge(["deleted": (.bool(false), 30)], into: deleted).outcome == .rejected)
        let undeleted = MergeFixtures.entity(["deleted": (.bool(false), 30)])
        #expect(try #require(merge(["deleted": (.bool(true), 30)], into: undeleted).state).isDeleted)
    }

    @Test("newer topics replace the local ones; older are rejected")
    func topicsLastWriterWins() throws {
        let newer = EntityMerge.apply(MergeFixtures.delta(.partial, topics: Fixtures.topics("B"), topicsTime: 5), to: local, from: .father)
        #expect(newer.outcome == .accepted && newer.acceptedParts == ["topics"])
        #expect(try #require(newer.state).topics.entries == ["B"])
        #expect(try #require(newer.state).topicsTime == MergeFixtures.t(5))
        let older = EntityMerge.apply(MergeFixtures.delta(.partial, topics: Fixtures.topics("B"), topicsTime: 0), to: local, from: .father)
        #expect(older.outcome == .rejected && older.rejectedParts == ["topics"])
    }

    @Test("topics ties go to the greater formatted list; identical topics are already had")
    func topicsTie() throws {
        let tieWins = EntityMerge.apply(MergeFixtures.delta(.partial, topics: Fixtures.topics("B"), topicsTime: 1), to: local, from: .father)
        #expect(try #require(tieWins.state).topics.entries == ["B"])  // ",B," > ",A,"
        let withB = MergeFixtures.entity([:], topics: Fixtures.topics("B"))
        let tieLoses = EntityMerge.apply(MergeFixtures.delta(.partial, topics: Fixtures.topics("A"), topicsTime: 1), to: withB, from: .father)
        #expect(tieLoses.outcome == .rejected)
        let same = EntityMerge.apply(MergeFixtures.delta(.partial, topics: Fixtures.topics("#arbor.father", "A"), topicsTime: 1), to: local, from: .father)
        #expect(same.outcome == .unchanged)
    }

    @Test("topics are not merged when the delta has no topics time")
    func topicsIgnoredWithoutTime() {
        let result = EntityMerge.apply(MergeFixtures.delta(.full, topics: Fixtures.topics("Z"), topicsTime: nil), to: local, from: .father)
        #expect(result.outcome == .unchanged)
        #expect(result.state?.topics.entries == ["A"])
    }
}
