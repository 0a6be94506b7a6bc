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
}
