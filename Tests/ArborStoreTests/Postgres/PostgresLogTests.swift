import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Synchronization
import Testing

@Suite("PostgreSQL delta log", .enabled(if: PostgresTesting.isConfigured))
struct PostgresLogTests {
    /// DESIGN rule 2: with many writers committing in random order, a reader that follows the
    /// log with `readLog(after: last)` sees every committed sequence exactly once, in order,
    /// with no gaps, each buffer stamped with its own sequence.
    @Test("the log never skips a committed transaction under concurrent writers with random commit delays")
    func noGapsUnderConcurrentWriters() async throws {
        let writersPerStore = 4
        let transactionsPerWriter = 25
        let total = Int64(2 * writersPerStore * transactionsPerWriter)
        try await PostgresTesting.withStore { first in
            let second = try await PostgresTesting.open(prefix: first.prefix)
            let reader = try await PostgresTesting.open(prefix: first.prefix)
            for store in [first, second] {
                // Between the log insert and COMMIT: the window in which a naive log loses rows.
                store.beforeCommitHook = { try? await Task.sleep(for: .milliseconds(Int.random(in: 0...20))) }
            }
            let target = SharedValue<Int64>(.max)
            let waker = LogWaker(reader, interval: .milliseconds(4))
            let following = Task { () throws -> [(sequence: Int64, techId: UUID)] in
                var seen: [(Int64, UUID)] = []
                var last: Int64 = 0
                var wakeUps = waker.stream.makeAsyncIterator()
                while last < target.value {
                    let records = try await reader.readLog(after: last, limit: 7)
                    for record in records {
                        let buffer = try DeltaBufferCodec.decode(record.buffer, schema: PostgresSamples.schema)
                        #expect(buffer.sequence == record.sequence, "buffer stamped \(buffer.sequence) stored at \(record.sequence)")
                        seen.append((record.sequence, buffer.deltas.first?.techId ?? UUID()))
                        last = record.sequence
                    }
                    if records.isEmpty, await wakeUps.next() == nil { break }
                }
                return seen
            }
            let receipts = try await withThrowingTaskGroup(of: [(Int64?, UUID)].self) { group in
                for store in [first, second] {
                    for _ in 0..<writersPerStore {
                        group.addTask {
                            var written: [(Int64?, UUID)] = []
                            for _ in 0..<transactionsPerWriter {
                                try await Task.sleep(for: .microseconds(Int.random(in: 0...3_000)))
                                let entity = PostgresSamples.sample(UUID())
                                let receipt = try await store.write(reading: [entity.key]) { _ in PostgresSamples.creating([entity]) }
                                written.append((receipt.sequence, entity.techId))
                            }
                            return written
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            target.value = total
            let seen = try await PostgresTesting.within(seconds: 30) { try await following.value }
            waker.cancel()
            await second.close()
            await reader.close()

            #expect(receipts.count == Int(total))
            let committed = receipts.compactMap(\.0)
            #expect(committed.count == receipts.count, "every write with deltas gets a sequence")
            #expect(Set(committed) == Set(1...total), "receipts hold each sequence once")
            #expect(seen.map(\.sequence) == Array(1...total), "the reader saw 1...\(total) in order, each once")
            let owner = Dictionary(uniqueKeysWithValues: receipts.compactMap { receipt in receipt.0.map { ($0, receipt.1) } })
            #expect(seen.allSatisfy { owner[$0.sequence] == $0.techId }, "each buffer holds its own transaction's deltas")
            #expect(try await first.lastSequence() == total)
        }
    }

    @Test("logAppended fires after another store object's write (cross-connection NOTIFY)")
    func logAppendedAcrossConnections() async throws {
        try await PostgresTesting.withStore { writer in
            let listener = try await PostgresTesting.open(prefix: writer.prefix)
            let wakeUps = listener.logAppended()
            // The first wake-up says LISTEN is active (the hub always wakes once on listening).
            #expect(try await PostgresTesting.nextSignal(wakeUps, within: 30))
            _ = try await writer.write(reading: []) { _ in PostgresSamples.creating([PostgresSamples.sample(Fixtures.id(1))]) }
            #expect(try await PostgresTesting.nextSignal(wakeUps, within: 30))
            await listener.close()
        }
    }

    @Test("after its LISTEN connection is killed, the store listens again and keeps waking readers")
    func relistensAfterDroppedConnection() async throws {
        try await PostgresTesting.withStore { writer in
            let listener = try await PostgresTesting.open(prefix: writer.prefix)
            let wakeUps = listener.logAppended()
            #expect(try await PostgresTesting.nextSignal(wakeUps, within: 30))
            let killed = try await PostgresTesting.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE starts_with(query, 'LISTEN \"\(writer.prefix)')", on: writer
            )
            #expect(try killed.map { try $0.decode(Bool.self) } == [true], "exactly one LISTEN connection")
            // Listening again wakes readers once (what was sent meanwhile is unknown)...
            #expect(try await PostgresTesting.nextSignal(wakeUps, within: 30))
            // ...and appends are signalled again.
            _ = try await writer.write(reading: []) { _ in PostgresSamples.creating([PostgresSamples.sample(Fixtures.id(1))]) }
            #expect(try await PostgresTesting.nextSignal(wakeUps, within: 30))
            await listener.close()
        }
    }

    @Test("readLog pages by sequence and limit; lastSequence follows; writes without deltas take none")
    func readLogPaging() async throws {
        try await PostgresTesting.withStore { store in
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.readLog(after: 0, limit: 10).isEmpty)
            for n in 1...5 {
                let receipt = try await store.write(reading: []) { _ in PostgresSamples.creating([PostgresSamples.sample(Fixtures.id(n))]) }
                #expect(receipt.sequence == Int64(n))
            }
            let quiet = try await store.write(reading: []) { _ in
                TransactionPlan(upserts: [PostgresSamples.sample(Fixtures.id(9))], result: 42)
            }
            #expect(quiet.sequence == nil && quiet.result == 42)
            #expect(try await store.lastSequence() == 5)
            #expect(try await store.readLog(after: 0, limit: 2).map(\.sequence) == [1, 2])
            #expect(try await store.readLog(after: 2, limit: 10).map(\.sequence) == [3, 4, 5])
            #expect(try await store.readLog(after: 5, limit: 10).isEmpty)
            #expect(try await store.readLog(after: 0, limit: 0).isEmpty)
            let record = try #require(try await store.readLog(after: 3, limit: 1).first)
            let buffer = try DeltaBufferCodec.decode(record.buffer, schema: store.schema)
            #expect(buffer.originSite == "center" && buffer.schemaName == "probe-v1" && buffer.sequence == 4)
            #expect(buffer.deltas.map(\.techId) == [Fixtures.id(4)])
        }
    }
}

/// Wakes a log reader after each `logAppended` signal and at least every `interval`.
final class LogWaker: Sendable {
    let stream: AsyncStream<Void>
    private let tasks: [Task<Void, Never>]

    init(_ store: any SiteStore, interval: Duration) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let appended = store.logAppended()
        self.stream = stream
        tasks = [
            Task {
                for await _ in appended { continuation.yield() }
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
                continuation.finish()
            },
        ]
    }

    func cancel() {
        for task in tasks { task.cancel() }
    }
}

/// A value shared between tasks.
final class SharedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
