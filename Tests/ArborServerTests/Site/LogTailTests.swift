import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Logging
import Testing

/// The log tail starts at the newest window of a long log and reads older buffers from the store.
@Suite struct LogTailTests {
    @Test func aLongLogIsNotDecodedAtStartYetEveryBufferCanBeRead() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let entities = EntitiesSubsystem(store: store)
            for n in 1...50 { try await entities.write([Samples.customerCreate(id: Fixtures.id(n))]) }
            let tail = LogTail(store: store, windowSize: 10, logger: Logger(label: "test.tail", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await tail.catchUp()
            #expect(tail.lastSequence == 50)
            #expect(tail.windowBuffers(after: 40, limit: 100)?.map(\.sequence) == Array(41...50), "the newest window is in memory")
            #expect(tail.windowBuffers(after: 30, limit: 100) == nil, "older buffers were not decoded at start")
            #expect(try await tail.buffers(after: 30, limit: 100).map(\.sequence) == Array(31...50), "older buffers come from the store")
            #expect(try await tail.buffers(after: 0, limit: 5).map(\.sequence) == Array(1...5))
            try await entities.write([Samples.customerCreate(id: Fixtures.id(51))])
            try await tail.catchUp()
            #expect(tail.windowBuffers(after: 49, limit: 100)?.map(\.sequence) == [50, 51])
        }
    }

    @Test func aShortLogIsReadWhole() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let entities = EntitiesSubsystem(store: store)
            for n in 1...5 { try await entities.write([Samples.customerCreate(id: Fixtures.id(n))]) }
            let tail = LogTail(store: store, windowSize: 10, logger: Logger(label: "test.tail", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await tail.catchUp()
            #expect(tail.windowBuffers(after: 0, limit: 100)?.map(\.sequence) == Array(1...5))
        }
    }

    /// Issue 10 item 7: a record the tail cannot decode (here: larger than its limit) stops
    /// readers with an error at that sequence; it is never skipped as an empty placeholder.
    @Test(arguments: TestStores.available)
    func anUndecodableRecordStopsReadersBeforeIt(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let entities = EntitiesSubsystem(store: store)
            try await entities.write([Samples.customerCreate(id: Fixtures.id(1))])
            try await entities.write([Samples.customerCreate(id: Fixtures.id(2), extra: ["email": .text(String(repeating: "x", count: 100_000))])])
            try await entities.write([Samples.customerCreate(id: Fixtures.id(3))])
            let tail = LogTail(store: store, maximumBufferBytes: 64 << 10, logger: Logger(label: "test.tail", factory: { _ in SwiftLogNoOpLogHandler() }))
            do {
                try await tail.catchUp()
                Issue.record("the tail read past an undecodable record")
            } catch let error as UndecodableLogRecord {
                #expect(error.sequence == 2)
                #expect(error.description.contains("maximumTransactionBytes"))
            }
            #expect(tail.lastSequence == 1, "readers stay before the record")
            #expect(tail.blocked?.sequence == 2)
            #expect(try await tail.buffers(after: 0, limit: 10).map(\.sequence) == [1], "what comes before it is readable")
            await #expect(throws: UndecodableLogRecord.self) { _ = try await tail.buffers(after: 1, limit: 10) }
        }
    }
}
