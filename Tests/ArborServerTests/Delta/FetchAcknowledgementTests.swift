import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Testing

/// Issue 10 items 4 and 12: a fetch's registration changes are acknowledged at whichever server
/// process of the site takes the next fetch, and a fetch from before the acknowledged sequence
/// is refused instead of answered from registrations that no longer match the client.
@Suite struct FetchAcknowledgementTests {
    @Test(arguments: TestStores.available)
    func aFullSentByOneProcessIsAcknowledgedAtTheOther(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["e1"]) { site in
            let created = try await site.append(at: site.first, try CustomerWrites.create(1, topics: "A"))
            _ = try await site.first.delta.register(client: site.first.delta.inProcessClient("e1"), entities: [])
            let renamed = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Bea"))
            try await site.catchUp()

            let full = try await site.fetch(at: site.first, "e1", from: created, slice: "A")
            #expect(full.delivered == ["FULL@\(renamed)"], "a selecting, unregistered client gets the FULL only")
            #expect(try await site.registration("e1", on: 1, at: site.first) == .unregistered, "not acknowledged yet (rule 3)")

            // The next fetch reaches the other process (a redirect, or a fail-over): it acknowledges.
            let quiet = try await site.fetch(at: site.second, "e1", from: full.sequence, slice: "A")
            #expect(quiet.delivered.isEmpty)
            #expect(try await site.registration("e1", on: 1, at: site.second) == .synchronized, "the FULL's synchronization is acknowledged")

            // Synchronized now, the client gets the next update's PARTIAL, not a FULL again.
            let again = try await site.append(at: site.second, CustomerWrites.rename(1, to: "Cleo"))
            try await site.catchUp()
            let partial = try await site.fetch(at: site.first, "e1", from: quiet.sequence, slice: "A")
            #expect(partial.delivered == ["PARTIAL@\(again)"])
        }
    }

    @Test(arguments: TestStores.available)
    func aBatchLostOnTheWayIsSentAgainByTheOtherProcess(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["e1"]) { site in
            let created = try await site.append(at: site.first, try CustomerWrites.create(1, topics: "A"))
            _ = try await site.first.delta.register(client: site.first.delta.inProcessClient("e1"), entities: [])
            let renamed = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Bea"))
            try await site.catchUp()
            _ = try await site.fetch(at: site.first, "e1", from: created, slice: "A")
            // The answer never arrived; the edge retries from the same position elsewhere.
            let retried = try await site.fetch(at: site.second, "e1", from: created, slice: "A")
            #expect(retried.delivered == ["FULL@\(renamed)"], "the lost FULL is sent again")
            #expect(try await site.registration("e1", on: 1, at: site.first) == .unregistered)
            _ = try await site.fetch(at: site.first, "e1", from: retried.sequence, slice: "A")
            #expect(try await site.registration("e1", on: 1, at: site.first) == .synchronized)
        }
    }

    @Test(arguments: TestStores.available)
    func concurrentFetchesOfOneClientAtTwoProcessesCommitOnce(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["e1"]) { site in
            let created = try await site.append(at: site.first, try CustomerWrites.create(1, topics: "A"))
            _ = try await site.first.delta.register(client: site.first.delta.inProcessClient("e1"), entities: [])
            _ = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Bea"))
            try await site.catchUp()
            let first = try await site.fetch(at: site.first, "e1", from: created, slice: "A")
            // Both processes take the acknowledgement at once, many times over.
            for _ in 0..<10 {
                async let a = site.fetch(at: site.first, "e1", from: first.sequence, slice: "A")
                async let b = site.fetch(at: site.second, "e1", from: first.sequence, slice: "A")
                let answers = try await [a, b]
                #expect(answers.allSatisfy { $0.delivered.isEmpty && $0.sequence == first.sequence })
            }
            #expect(try await site.registration("e1", on: 1, at: site.second) == .synchronized)
            let stored = try await site.first.store.fetchAcknowledgement(clientId: "e1")
            #expect(stored?.acknowledgedSequence == first.sequence && stored?.pending == nil)
        }
    }

    @Test(arguments: TestStores.available)
    func aFetchOrSkipLoadBehindTheAcknowledgedSequenceIsRefusedUntilASyncLoad(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["e1"]) { site in
            let created = try await site.append(at: site.first, try CustomerWrites.create(1, topics: "A"))
            _ = try await site.first.delta.register(client: site.first.delta.inProcessClient("e1"), entities: [])
            let renamed = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Bea"))
            try await site.catchUp()
            let full = try await site.fetch(at: site.first, "e1", from: created, slice: "A")
            _ = try await site.fetch(at: site.first, "e1", from: full.sequence, slice: "A")
            let updated = try await site.append(at: site.first, CustomerWrites.rename(1, to: "Cleo"))
            try await site.catchUp()

            // Restored from a copy taken before the FULL: routing from the persisted (synchronized)
            // state would send the PARTIAL of an entity it does not hold in its current state.
            for process in [site.first, site.second] {
                let refused = await serverError { try await site.fetch(at: process, "e1", from: created, slice: "A") }
                #expect(refused?.code == .tooFarBehind, "\(String(describing: refused))")
                #expect(refused?.message.contains("before sequence \(renamed) it already acknowledged") == true)
                let skip = await serverError { try await process.cache.skipLoad(client: process.cache.inProcessClient("e1"), slice: "A", lastSequence: created) }
                #expect(skip?.code == .tooFarBehind)
            }
            // What the error tells it to do works: a SyncLoad, then fetches from its sequence.
            let load = try await site.second.cache.syncLoad(client: site.second.cache.inProcessClient("e1"), slice: "A", lastTransmissionTime: 0)
            #expect(load.buffers.flatMap(\.deltas).map(\.techId) == [Fixtures.id(1)])
            let after = try await site.fetch(at: site.first, "e1", from: load.sequence, slice: "A")
            #expect(after.sequence >= updated)
            // The acknowledged position itself is still fine.
            #expect(try await site.first.cache.skipLoad(client: site.first.cache.inProcessClient("e1"), slice: "A", lastSequence: after.sequence) == after.sequence)
        }
    }
}
