import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A client that applied an answer and then unregisters entities or sync-loads before its next
/// fetch says `fetchedThrough`: the registrations that answer brought are committed, not lost
/// with the fetch session (the nemesis found a son that held an entity while unregistered on it
/// at its father, so the entity's later changes never reached it once it left the slice).
@Suite struct FetchAcknowledgementByUnregisterTests {
    /// Customer 1 is created in `A`; a registered fetch brings its CREATE to `b1`, which holds
    /// Customer 2 already; nothing acknowledged yet.
    func withAnswerHeld(
        _ backend: TestStores.Backend, _ body: (SiteProcessesHarness, _ answer: DeltaBatch) async throws -> Void
    ) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["b1"]) { site in
            _ = try await site.append(at: site.first, try CustomerWrites.create(2, topics: "A"))
            let start = try await site.first.delta.register(
                client: site.first.delta.inProcessClient("b1"), entities: [EntityRef("Customer", Fixtures.id(2))])
            let created = try await site.append(at: site.first, try CustomerWrites.create(1, topics: "A"))
            try await site.catchUp()
            let answer = try await site.fetch(at: site.first, "b1", from: start, slice: "A")
            #expect(answer.delivered == ["CREATE@\(created)"])
            try await body(site, answer)
        }
    }

    @Test(arguments: TestStores.available)
    func unregisteringWithFetchedThroughCommitsTheAnswerHeld(backend: TestStores.Backend) async throws {
        try await withAnswerHeld(backend) { site, answer in
            _ = try await site.second.delta.unregister(
                client: site.second.delta.inProcessClient("b1"), entities: [EntityRef("Customer", Fixtures.id(2))],
                sequence: answer.sequence, fetchedThrough: answer.sequence)
            #expect(try await site.registration("b1", on: 1, at: site.first) == .synchronized, "the CREATE's registration is kept")
            #expect(try await site.registration("b1", on: 2, at: site.first) == .unregistered)
            // Out of the slice, Customer 1 still reaches b1: it is registered on it.
            _ = try await site.append(at: site.first, EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), topics: try TopicsList(["B"])))
            let renamed = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Bea"))
            try await site.catchUp()
            let next = try await site.fetch(at: site.first, "b1", from: answer.sequence, slice: "A")
            #expect(next.delivered.contains("PARTIAL@\(renamed)"), "\(next.delivered)")
        }
    }

    @Test(arguments: TestStores.available)
    func unregisteringWithoutFetchedThroughStillDropsTheUnacknowledgedAnswer(backend: TestStores.Backend) async throws {
        try await withAnswerHeld(backend) { site, answer in
            // A client that does not say it holds the answer may have lost it: nothing is committed,
            // and a fetch from before it gets the CREATE again.
            _ = try await site.first.delta.unregister(
                client: site.first.delta.inProcessClient("b1"), entities: [EntityRef("Customer", Fixtures.id(2))], sequence: answer.sequence)
            #expect(try await site.registration("b1", on: 1, at: site.first) == .unregistered)
        }
    }

    @Test(arguments: TestStores.available)
    func aSyncLoadWithFetchedThroughCommitsTheAnswerHeld(backend: TestStores.Backend) async throws {
        try await withAnswerHeld(backend) { site, answer in
            _ = try await site.second.cache.syncLoad(
                client: site.second.cache.inProcessClient("b1"), slice: "A", lastTransmissionTime: Int64.max / 2,
                entities: [EntityRef("Customer", Fixtures.id(3))], fetchedThrough: answer.sequence)
            #expect(try await site.registration("b1", on: 1, at: site.first) == .synchronized, "the CREATE's registration is kept")
        }
    }
}
