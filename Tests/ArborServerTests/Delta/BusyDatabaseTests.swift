import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

/// A database another connection keeps locked is no server failure: the request is answered
/// `Unavailable` (503) with `Retry-After`, so edges retry or fail over (issue 10, seen in the
/// nemesis run as `500 Internal` while two processes and a test shared an SQLite file).
@Suite(.serialized) struct BusyDatabaseTests {
    @Test("an append while another connection holds the SQLite write lock is Unavailable with Retry-After, and stores nothing")
    func appendWhileLockedIsUnavailable() async throws {
        try await DeltaServerHarness.with(.sqlite) { site in
            let path = try #require((site.store as? SQLiteSiteStore)?.path)
            let before = try await site.store.lastSequence()
            var lockerConfiguration = Configuration()
            lockerConfiguration.allowsUnsafeTransactions = true  // the lock is held across awaits on purpose
            let locker = try DatabaseQueue(path: path, configuration: lockerConfiguration)
            try await locker.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            let refusal: ServerError?
            do {
                _ = try await site.server.append([Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("A"))], client: .local)
                refusal = nil
            } catch let error as ServerError {
                refusal = error
            }
            try await locker.inDatabase { db in try db.execute(sql: "ROLLBACK") }
            try locker.close()
            #expect(refusal?.code == .unavailable, "\(String(describing: refusal))")
            #expect(refusal?.code.httpStatus == 503)
            #expect(refusal?.retryAfterSeconds == 1)
            #expect(refusal?.message.contains("busy") == true, "\(String(describing: refusal))")
            #expect(try await site.store.lastSequence() == before, "nothing was stored")
            // Once the lock is gone the same append goes through.
            try await site.createCustomer(1, topics: "A")
        }
    }
}
