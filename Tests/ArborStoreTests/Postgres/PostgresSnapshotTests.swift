import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("PostgreSQL snapshots", .enabled(if: PostgresTesting.isConfigured))
struct PostgresSnapshotTests {
    static let counter = EntityKey("Sample", UUID(uuidString: "FFFFFFFF-0000-4000-8000-000000000000")!)

    /// The n-th write: the counter entity and entity `n` both hold `n`; odd entities are kept
    /// out of cache (headers only).
    static func nthWrite(_ loaded: [EntityKey: EntityState]) -> TransactionPlan<Int64> {
        var last: Int64 = 0
        if case .bigint(let value)? = loaded[counter]?.fields["v_bigint"]?.value { last = value }
        let n = last + 1
        let counterState = PostgresSamples.sample(counter.techId, fields: ["v_bigint": .bigint(n)], time: n)
        let entity = PostgresSamples.sample(Fixtures.id(Int(n)), fields: ["v_bigint": .bigint(n)], time: n, inCache: n % 2 == 0)
        return TransactionPlan(upserts: [counterState, entity], deltas: [PostgresSamples.create(entity)], result: n)
    }

    @Test("a snapshot at sequence s holds exactly entities 1...s while writers run")
    func consistentWhileWriting() async throws {
        let writers = 4
        let writesPerWriter = 15
        try await PostgresTesting.withStore { store in
            store.beforeCommitHook = { try? await Task.sleep(for: .milliseconds(Int.random(in: 0...5))) }
            let numbers = Dictionary(uniqueKeysWithValues: (1...writers * writesPerWriter).map { (Fixtures.id($0), Int64($0)) })
            let done = SharedValue(false)
            let snapshots = Task { () throws -> Int in
                var taken = 0
                while !done.value {
                    let snapshot = try await store.snapshot()
                    taken += 1
                    let s = snapshot.sequence
                    let counter = snapshot.entities.first { $0.key == Self.counter }
                    #expect(counter?.fields["v_bigint"]?.value == (s == 0 ? nil : .bigint(s)), "counter at sequence \(s)")
                    let cached = snapshot.entities.filter { $0.key != Self.counter }
                    let found = cached.map { numbers[$0.techId] ?? -1 } + snapshot.headers.map { numbers[$0.key.techId] ?? -1 }
                    #expect(found.sorted() == Array(stride(from: 1, through: s, by: 1)), "snapshot at sequence \(s)")
                    #expect(cached.allSatisfy { $0.fields["v_bigint"]?.value == numbers[$0.techId].map(FieldValue.bigint) && $0.inCache })
                    #expect(snapshot.headers.allSatisfy { header in
                        header.updateTime == Fixtures.time(numbers[header.key.techId] ?? 0) && !header.isDeleted
                    })
                }
                return taken
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        for _ in 0..<writesPerWriter {
                            let receipt = try await store.write(reading: [Self.counter], Self.nthWrite)
                            #expect(receipt.sequence == receipt.result, "the n-th write is logged at sequence n")
                        }
                    }
                }
                try await group.waitForAll()
            }
            done.value = true
            let taken = try await snapshots.value
            #expect(taken >= 3, "snapshots ran alongside the writers")
            let final = try await store.snapshot()
            #expect(final.sequence == Int64(writers * writesPerWriter))
            #expect(final.entities.count + final.headers.count == writers * writesPerWriter + 1)
        }
    }

    @Test("snapshot holds whole in-cache entities with sub-entities and headers of the others, deleted ones included")
    func entitiesAndHeaders() async throws {
        try await PostgresTesting.withStore { store in
            let whole = PostgresWriteTests.edgeEntities[3]
            var deleted = PostgresSamples.sample(Fixtures.id(8), time: 50, inCache: false)
            deleted.fields["deleted"] = TimedValue(.bool(true), at: Fixtures.time(60))
            let plain = EntityState(
                entityClass: "Plain", techId: Fixtures.id(9), inCache: false, topics: Fixtures.topics("P"), topicsTime: Fixtures.time(1),
                fields: ["count": TimedValue(.bigint(3), at: Fixtures.time(70))]
            )
            _ = try await store.write(reading: []) { [deleted] _ in PostgresSamples.creating([whole, deleted, plain]) }
            let snapshot = try await store.snapshot()
            #expect(snapshot.sequence == 1)
            #expect(snapshot.entities.map(PostgresSamples.comparable) == [PostgresSamples.comparable(whole)])
            #expect(snapshot.headers == [
                EntityHeader(key: deleted.key, topics: deleted.topics, updateTime: Fixtures.time(60), isDeleted: true),
                EntityHeader(key: plain.key, topics: plain.topics, updateTime: Fixtures.time(70), isDeleted: false),
            ])
        }
    }
}
