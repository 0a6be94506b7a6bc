import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Logging
import Testing

/// The master's log trimming: the last `retainedSequences` stay, and at a son nothing the
/// father has not acknowledged goes.
@Suite struct LogTrimmerTests {
    let logger = Logger(label: "test.trimmer", factory: { _ in SwiftLogNoOpLogHandler() })

    func writes(_ count: Int, to store: any SiteStore) async throws {
        let entities = EntitiesSubsystem(store: store)
        for n in 1...count { try await entities.write([Samples.customerCreate(id: Fixtures.id(n))]) }
    }

    @Test(arguments: TestStores.available)
    func theCenterKeepsTheRetainedSequences(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            try await writes(30, to: store)
            let trimmer = LogTrimmer(store: store, retainedSequences: 10, keepsUnacknowledgedUploads: false, logger: logger)
            #expect(try await trimmer.trimOnce() == 20)
            #expect(try await store.firstSequence() == 21)
            #expect(try await trimmer.trimOnce() == 0)
        }
    }

    @Test func aSonKeepsWhatTheFatherHasNotAcknowledged() async throws {
        try await TestStores.withStore(.sqlite, siteName: "east") { store in
            try await writes(30, to: store)
            let trimmer = LogTrimmer(store: store, retainedSequences: 10, keepsUnacknowledgedUploads: true, logger: logger)
            #expect(try await trimmer.trimOnce() == 0, "nothing acknowledged yet: nothing may go")
            try await store.setSiteCounter(FatherLink.uploadedKey, 15)
            #expect(try await trimmer.trimOnce() == 15)
            #expect(try await store.firstSequence() == 16)
            try await store.setSiteCounter(FatherLink.uploadedKey, 30)
            #expect(try await trimmer.trimOnce() == 5, "then the retained sequences bound it")
            #expect(try await store.firstSequence() == 21)
        }
    }
}
