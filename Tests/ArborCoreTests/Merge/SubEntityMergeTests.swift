import ArborCore
import ArborTesting
import Foundation
import Testing

/// Sub-entity create/update/delete rules and tombstones.
@Suite("Sub-entity merge")
struct SubEntityMergeTests {
    private func merge(_ subs: [SubEntityDelta], updateTime: Int64 = 50, into lines: [SubEntityState]) -> MergeResult {
        let local = MergeFixtures.entity(["status": (.text("open"), 10)], subEntities: lines)
        return EntityMerge.apply(MergeFixtures.delta(.partial, updateTime: updateTime, subEntities: subs), to: local, from: .father)
    }

    private func line(_ result: MergeResult, _ n: Int) -> SubEntityState? { result.state?.subEntities[Fixtures.id(100 + n)] }

    @Test("deleting a live sub-entity leaves a fieldless tombstone stamped with the delta's time")
    func deleteLive() throws {
        let result = merge([MergeFixtures.lineDelta(.delete, 1)], into: [MergeFixtures.line(1, ["sku": (.text("x"), 5)])])
        #expect(result.outcome == .accepted)
        let tombstone = try #require(line(result, 1))
        #expect(tombstone.isDeleted && tombstone.deletedTime == MergeFixtures.t(50) && tombstone.fields.isEmpty)
        #expect(result.deltas.first?.subEntities == [MergeFixtures.lineDelta(.delete, 1, deletedAt: 50)])
    }

    @Test("deleting an unknown sub-entity records a tombstone")
    func deleteUnknown() throws {
        let result = merge([MergeFixtures.lineDelta(.delete, 2)], into: [])
        #expect(result.outcome == .accepted)
        #expect(try #require(line(result, 2)).isDeleted)
    }

    @Test("deleting an already deleted sub-entity is already had")
    func deleteTombstone() {
        let tombstone = MergeFixtures.line(1, deletedAt: 40)
        #expect(merge([MergeFixtures.lineDelta(.delete, 1)], updateTime: 40, into: [tombstone]).outcome == .unchanged)
        let later = merge([MergeFixtures.lineDelta(.delete, 1)], updateTime: 60, into: [tombstone])
        #expect(later.outcome == .unchanged)
        #expect(later.state?.subEntities[tombstone.techId]?.deletedTime == MergeFixtures.t(40))
    }

    @Test("an earlier delete moves the tombstone's time back, so arrival order does not matter")
    func earlierDeleteWins() throws {
        let result = merge([MergeFixtures.lineDelta(.delete, 1)], updateTime: 30, into: [MergeFixtures.line(1, deletedAt: 40)])
        #expect(result.outcome == .accepted)
        #expect(try #require(line(result, 1)).deletedTime == MergeFixtures.t(30))
    }

    @Test("creating or updating an unknown sub-entity creates it with its fields", arguments: [SubEntityOperation.create, .update])
    func createUnknown(_ operation: SubEntityOperation) throws {
        let result = merge([MergeFixtures.lineDelta(operation, 3, ["sku": (.text("y"), 20), "quantity": (.int(2), 20)])], into: [])
        #expect(result.outcome == .accepted)
        let created = try #require(line(result, 3))
        #expect(!created.isDeleted)
        #expect(created.fields == MergeFixtures.timed(["sku": (.text("y"), 20), "quantity": (.int(2), 20)]))
        #expect(result.deltas.first?.subEntities.map(\.operation) == [.create])
    }

    @Test("creating or updating a deleted sub-entity is rejected", arguments: [SubEntityOperation.create, .update])
    func resurrectRejected(_ operation: SubEntityOperation) throws {
        let result = merge([MergeFixtures.lineDelta(operation, 1, ["sku": (.text("y"), 99)])], into: [MergeFixtures.line(1, deletedAt: 40)])
        #expect(result.outcome == .rejected)
        #expect(result.rejectedParts == ["lines[\(Fixtures.id(101).uuidString)]"])
        #expect(try #require(line(result, 1)).isDeleted)
    }

    @Test("fields of a live sub-entity merge one by one")
    func liveFieldsMerge() throws {
        let existing = MergeFixtures.line(1, ["sku": (.text("x"), 10), "quantity": (.int(1), 10)])
        let change = MergeFixtures.lineDelta(.update, 1, ["sku": (.text("z"), 20), "quantity": (.int(7), 5)])
        let result = merge([change], into: [existing])
        #expect(result.outcome == .partlyAccepted)
        let merged = try #require(line(result, 1))
        #expect(merged.fields == MergeFixtures.timed(["sku": (.text("z"), 20), "quantity": (.int(1), 10)]))
        let prefix = "lines[\(Fixtures.id(101).uuidString)]."
        #expect(result.acceptedParts == [prefix + "sku"] && result.rejectedParts == [prefix + "quantity"])
        #expect(result.deltas.first?.subEntities == [MergeFixtures.lineDelta(.update, 1, ["sku": (.text("z"), 20)])])
    }

    @Test("an identical sub-entity update is already had")
    func identicalSubUpdate() {
        let existing = MergeFixtures.line(1, ["sku": (.text("x"), 10)])
        #expect(merge([MergeFixtures.lineDelta(.update, 1, ["sku": (.text("x"), 10)])], into: [existing]).outcome == .unchanged)
    }
}
