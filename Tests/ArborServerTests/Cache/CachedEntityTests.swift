import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("CachedEntity and CacheSnapshot: applying the site's log")
struct CachedEntityTests {
    static func state(_ n: Int, topics: TopicsList = Fixtures.topics("A"), at time: Int64 = 100, inCache: Bool = true) -> EntityState {
        let at = Fixtures.time(time)
        return EntityState(
            entityClass: "Customer", techId: Fixtures.id(n), inCache: inCache, topics: topics, topicsTime: at,
            fields: ["deleted": TimedValue(.bool(false), at: at), "name": TimedValue(.text("n\(n)"), at: at), "vip": TimedValue(.bool(false), at: at)]
        )
    }

    static func partial(_ n: Int, topics: TopicsList, fields: [String: TimedValue], at time: Int64, topicsTime: Int64? = nil, inCache: Bool = true) -> Delta {
        Delta(
            operation: .partial, entityClass: "Customer", techId: Fixtures.id(n), updateTime: Fixtures.time(time), topics: topics,
            oldTopics: Fixtures.topics("A"), topicsTime: topicsTime.map(Fixtures.time), inCache: inCache, fields: fields
        )
    }

    @Test func createKeepsApplicationTopicsOnly() throws {
        let delta = Self.state(1).delta(.create, topics: Fixtures.topics("#arbor.father", "A", "#arbor.notson.s1"), oldTopics: nil)
        let cached = try #require(CachedEntity.applying(delta, to: nil))
        #expect(cached.topics == Fixtures.topics("A"))
        #expect(cached.state?.fields["name"]?.value == .text("n1"))
    }

    @Test func notInCacheKeepsOnlyTheHeader() throws {
        let state = Self.state(2, inCache: false)
        let cached = try #require(CachedEntity.applying(state.delta(.create, topics: state.topics, oldTopics: nil), to: nil))
        #expect(cached == .header(EntityHeader(key: state.key, topics: state.topics, updateTime: state.updateTime, isDeleted: false)))
        #expect(cached.state == nil)
    }

    @Test func partialMergesIntoAWholeEntity() throws {
        let held = CachedEntity.whole(Self.state(3))
        let delta = Self.partial(3, topics: Fixtures.topics("#arbor.father", "B"), fields: ["name": TimedValue(.text("new"), at: Fixtures.time(200))], at: 200, topicsTime: 200)
        let merged = try #require(CachedEntity.applying(delta, to: held)?.state)
        #expect(merged.fields["name"] == TimedValue(.text("new"), at: Fixtures.time(200)))
        #expect(merged.fields["vip"] == TimedValue(.bool(false), at: Fixtures.time(100)))
        #expect(merged.topics == Fixtures.topics("B"))
        #expect(merged.updateTime == Fixtures.time(200))
    }

    @Test func partialMovesAHeader() throws {
        let held = CachedEntity(Self.state(4, inCache: false))
        let delta = Self.partial(4, topics: Fixtures.topics("#arbor.father", "C"), fields: ["deleted": TimedValue(.bool(true), at: Fixtures.time(300))], at: 300, inCache: false)
        let moved = try #require(CachedEntity.applying(delta, to: held))
        #expect(moved == .header(EntityHeader(key: held.key, topics: Fixtures.topics("C"), updateTime: Fixtures.time(300), isDeleted: true)))
    }

    @Test func deleteRemovesAndRegisterChangesNothing() {
        let held = CachedEntity.whole(Self.state(5))
        let delete = Delta(operation: .delete, entityClass: "Customer", techId: Fixtures.id(5), updateTime: Fixtures.time(9), topics: .empty, inCache: true)
        #expect(CachedEntity.applying(delete, to: held) == nil)
        let register = Delta.register(entityClass: "Customer", techId: Fixtures.id(5), updateTime: Fixtures.time(9), namingTopic: "#arbor.son.s1", change: .synchronize)
        #expect(CachedEntity.applying(register, to: held) == held)
        #expect(CachedEntity.applying(register, to: nil) == nil)
        #expect(CachedEntity.applying(Self.partial(6, topics: .empty, fields: [:], at: 1), to: nil) == nil)
    }

    @Test func snapshotAppliesBuffersInOrderAndSkipsOldOnes() {
        var snapshot = CacheSnapshot()
        let first = Self.state(7)
        let created = snapshot.apply(Samples.buffer([first.delta(.create, topics: first.topics, oldTopics: nil)], sequence: 1))
        #expect(created)
        let copy = snapshot
        let replacement = Self.state(7, topics: Fixtures.topics("Z"), at: 500)
        let replayed = snapshot.apply(Samples.buffer([replacement.delta(.full, topics: replacement.topics, oldTopics: nil)], sequence: 1))
        #expect(!replayed)
        #expect(snapshot[first.key]?.topics == Fixtures.topics("A"))
        let replaced = snapshot.apply(Samples.buffer([replacement.delta(.full, topics: replacement.topics, oldTopics: nil)], sequence: 2))
        #expect(replaced)
        #expect(snapshot.sequence == 2)
        #expect(snapshot[first.key]?.topics == Fixtures.topics("Z"))
        // A copy taken earlier is a snapshot: later applies do not show through.
        #expect(copy.sequence == 1)
        #expect(copy[first.key]?.topics == Fixtures.topics("A"))
    }
}
