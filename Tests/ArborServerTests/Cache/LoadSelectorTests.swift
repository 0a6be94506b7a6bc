import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("LoadSelector: which entities a load sends")
struct LoadSelectorTests {
    static let now = HybridTimestamp(microseconds: 10_000_000_000)

    /// A snapshot of headers: (n, topics, seconds before `now`, deleted).
    static func snapshot(_ entities: [(Int, [String], Int64, Bool)]) -> CacheSnapshot {
        CacheSnapshot(StoreSnapshot(sequence: 9, entities: [], headers: entities.map { n, topics, age, deleted in
            EntityHeader(key: EntityKey("Customer", Fixtures.id(n)), topics: try! TopicsList(topics), updateTime: now.adding(seconds: -age), isDeleted: deleted)
        }))
    }

    static func selector(_ slice: String) throws -> LoadSelector {
        LoadSelector(slice: try TopicsSlice(parsing: slice), now: now)
    }

    static func numbers(_ entities: [CachedEntity]) -> Set<UUID> { Set(entities.map(\.key.techId)) }
    static func set(_ ns: Int...) -> Set<UUID> { Set(ns.map(Fixtures.id)) }

    let entities = snapshot([
        (1, ["A"], 10, false), (2, ["A"], 7_200, false), (3, ["B"], 10, false), (4, ["A", "T"], 10, false), (5, ["A"], 10, true),
    ])

    @Test func fullLoadAppliesTimeWindowsAndLeavesDeletedOut() throws {
        #expect(Self.numbers(try Self.selector("A").fullLoad(entities)) == Self.set(1, 2, 4))
        #expect(Self.numbers(try Self.selector("A*TimeWindow60").fullLoad(entities)) == Self.set(1, 4))
        #expect(Self.numbers(try Self.selector("A*!T+B").fullLoad(entities)) == Self.set(1, 2, 3))
        // An entity updated after `now` is outside a relative window (now - n <= t <= now).
        let future = Self.snapshot([(6, ["A"], -5, false)])
        #expect(try Self.selector("A*TimeWindow60").fullLoad(future).isEmpty)
    }

    @Test func partialLoadSkipsRegisteredEntities() throws {
        let registered = Self.set(1, 3)
        #expect(Self.numbers(try Self.selector("A+B").partialLoad(entities) { registered.contains($0) }) == Self.set(2, 4))
    }

    @Test func syncLoadTakesSelectedOrRegisteredChangedSinceIncludingDeleted() throws {
        let since = Self.now.adding(seconds: -60)
        let registered = Self.set(3, 4)
        let all = try Self.selector("A").syncLoad(entities, lastTransmissionTime: since, toSon: false) { registered.contains($0) }
        #expect(Self.numbers(all.send) == Self.set(1, 3, 4, 5) && all.withheld.isEmpty)
        // `!T` blocks a registered entity carrying T from an application client, which is told
        // so (it becomes unsynchronized); a son gets it, learns of T and drops it (rule 1).
        let application = try Self.selector("A*!T").syncLoad(entities, lastTransmissionTime: since, toSon: false) { registered.contains($0) }
        #expect(Self.numbers(application.send) == Self.set(1, 3, 5))
        #expect(application.withheld == [Fixtures.id(4)])
        let son = try Self.selector("A*!T").syncLoad(entities, lastTransmissionTime: since, toSon: true) { registered.contains($0) }
        #expect(Self.numbers(son.send) == Self.set(1, 3, 4, 5) && son.withheld.isEmpty)
        let everything = try Self.selector("A").syncLoad(entities, lastTransmissionTime: .zero, toSon: false) { _ in false }
        #expect(Self.numbers(everything.send) == Self.set(1, 2, 4, 5))
    }

    @Test func minusIsOldButNotNewWithoutDeleted() throws {
        let old = try TopicsSlice(parsing: "A+B")
        #expect(Set(LoadSelector.minus(entities, oldSlice: old, newSlice: try TopicsSlice(parsing: "A"), now: Self.now).map(\.techId)) == Self.set(3))
        #expect(Set(LoadSelector.minus(entities, oldSlice: old, newSlice: try TopicsSlice(parsing: "B+A*TimeWindow60"), now: Self.now).map(\.techId)) == Self.set(2))
        #expect(LoadSelector.minus(entities, oldSlice: old, newSlice: old, now: Self.now).isEmpty)
    }
}
