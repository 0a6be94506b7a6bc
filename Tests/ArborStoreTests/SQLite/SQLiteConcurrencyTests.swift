import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteConcurrencyTests {
    @Test func aSnapshotHoldsExactlyTheEntitiesOfItsSequence() async throws {
        try await withSQLiteStore { store, _ async throws in
            let total = 60
            let writer = Task {
                for n in 1...total {
                    let sequence = try await SQLiteFixtures.upsert(SQLiteFixtures.customer(n), into: store)
                    #expect(sequence == Int64(n))
                }
            }
            var checked = Set<Int64>()
            while true {
                let snapshot = try await store.snapshot()
                // Write n upserts entity n, so the snapshot at s holds entities 1...s exactly.
                let expected = Set((0..<Int(snapshot.sequence)).map { Fixtures.id($0 + 1) })
                #expect(Set(snapshot.entities.map(\.techId)) == expected, "snapshot at \(snapshot.sequence)")
                checked.insert(snapshot.sequence)
                if snapshot.sequence == Int64(total) { break }
            }
            try await writer.value
            #expect(checked.count > 1, "the snapshots should have seen the writer at work")
        }
    }

    @Test func concurrentWritersGetGapFreeSequencesAReaderSeesOnceInOrder() async throws {
        try await withSQLiteStore { store, _ async throws in
            let writers = 8, writes = 25, total = writers * writes
            let reader = Task {
                var seen: [Int64] = []
                var signals = store.logAppended().makeAsyncIterator()
                while seen.count < total {
                    let records = try await store.readLog(after: seen.last ?? 0, limit: 7)
                    seen += records.map(\.sequence)
                    if records.isEmpty { _ = await signals.next() }
                }
                return seen
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for write in 0..<writes {
                            try await SQLiteFixtures.upsert(SQLiteFixtures.customer(writer * 1_000 + write), into: store)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await reader.value == Array(1...Int64(total)))
            #expect(try await store.snapshot().entities.count == total)
        }
    }

    @Test func aSecondStoreObjectOnTheSameFileContinuesTheSequence() async throws {
        try await withSQLiteStore { first, file async throws in
            let second = try await file.open(site: "center")
            try await second.install(upgradingSchema: false)
            try await SQLiteFixtures.upsert(SQLiteFixtures.customer(1), into: first)
            #expect(try await second.lastSequence() == 1)
            #expect(try await second.entities([EntityKey("Customer", Fixtures.id(1))]).count == 1)

            // Both write at once, as two server processes would.
            async let a: Void = { for n in 0..<20 { try await SQLiteFixtures.upsert(SQLiteFixtures.customer(100 + n), into: first) } }()
            async let b: Void = { for n in 0..<20 { try await SQLiteFixtures.upsert(SQLiteFixtures.customer(200 + n), into: second) } }()
            _ = try await (a, b)
            let log = try await first.readLog(after: 0, limit: 100)
            #expect(log.map(\.sequence) == Array(1...41))
            #expect(try await second.readLog(after: 0, limit: 100) == log)
            for record in log {
                #expect(try DeltaBufferCodec.decode(record.buffer, schema: Fixtures.retailSchema).sequence == record.sequence)
            }
            await second.close()
        }
    }

    /// Not a pass/fail test: prints single-writer throughput (durable commits, WAL, FULL sync).
    @Test func measureSingleWriterThroughput() async throws {
        try await withSQLiteStore { store, _ async throws in
            let count = 500
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                for n in 0..<count { try await SQLiteFixtures.upsert(SQLiteFixtures.customer(n), into: store) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("SQLiteSiteStore: \(count) upsert+delta transactions in \(elapsed): \(Int(Double(count) / seconds)) transactions/s")
            #expect(try await store.lastSequence() == Int64(count))
        }
    }
}
