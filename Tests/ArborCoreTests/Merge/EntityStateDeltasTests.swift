import ArborCore
import ArborTesting
import Foundation
import Testing

/// Building states from whole-entity deltas and whole-entity deltas from states.
@Suite("EntityState whole-entity deltas")
struct EntityStateDeltasTests {
    let state = MergeFixtures.entity(
        ["status": (.text("open"), 10), "deleted": (.bool(false), 3)], topics: Fixtures.topics("A", "B"), topicsTime: 4,
        inCache: false, subEntities: [MergeFixtures.line(2, ["sku": (.text("x"), 7)]), MergeFixtures.line(1, deletedAt: 9)]
    )

    @Test("a state's CREATE delta carries everything and recreates the same state")
    func roundTrip() throws {
        let create = state.delta(.create, topics: Fixtures.topics("#arbor.father", "A", "B"), oldTopics: nil)
        #expect(create.updateTime == MergeFixtures.t(10))
        #expect(create.topicsTime == MergeFixtures.t(4) && create.inCache == false && create.oldTopics == nil)
        #expect(create.fields == state.fields)
        #expect(create.subEntities == [MergeFixtures.lineDelta(.delete, 1, deletedAt: 9), MergeFixtures.lineDelta(.create, 2, ["sku": (.text("x"), 7)])])
        let recreated = try #require(EntityState(creating: create))
        #expect(recreated.topics.entries == ["A", "B"])
        #expect(recreated == state)
    }

    @Test("a FULL delta keeps the old topics it is given")
    func fullKeepsOldTopics() {
        let full = state.delta(.full, topics: state.topics, oldTopics: Fixtures.topics("C"))
        #expect(full.operation == .full && full.oldTopics?.entries == ["C"])
    }

    @Test("only CREATE and FULL deltas carry a whole entity", arguments: [DeltaOperation.partial, .update, .delete, .register])
    func notWhole(_ operation: DeltaOperation) {
        #expect(EntityState(creating: MergeFixtures.delta(operation, ["status": (.text("x"), 1)])) == nil)
    }

    @Test("without a topics time, a created entity's topics count as written at its update time")
    func topicsTimeFallback() throws {
        let created = try #require(EntityState(creating: MergeFixtures.delta(.create, ["status": (.text("x"), 8)], topicsTime: nil)))
        #expect(created.topicsTime == MergeFixtures.t(8))
    }
}
