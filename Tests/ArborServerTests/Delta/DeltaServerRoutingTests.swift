import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Testing

/// Routing through the delta server: selection, negation, PARTIAL before FULL, acknowledgement.
@Suite struct DeltaServerRoutingTests {
    @Test(arguments: TestStores.available)
    func aCreateReachesSelectingClientsOnly(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1", "b2"]) { site in
            _ = try await site.registered("b1")
            _ = try await site.registered("b2")
            let sequence = try await site.createCustomer(1, topics: "A")
            let selecting = try await site.fetch("b1", from: 0, slice: "A")
            #expect(selecting.delivered == ["CREATE@\(sequence)"])
            #expect(selecting.sequence == sequence)
            #expect(selecting.buffers.first?.deltas.first?.techId == Fixtures.id(1))
            let other = try await site.fetch("b2", from: 0, slice: "B")
            #expect(other.delivered.isEmpty)
            #expect(other.sequence == sequence, "the client advances past what it does not select")
            // A CREATE makes its receiver synchronized once acknowledged.
            _ = try await site.fetch("b1", from: sequence, slice: "A")
            #expect(try await site.registration("b1", on: 1) == .synchronized)
            #expect(try await site.registration("b2", on: 1) == .unregistered)
        }
    }

    @Test(arguments: TestStores.available)
    func aNegatedTopicBlocksEvenRegisteredEntities(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            try await site.createCustomer(1, topics: "A", "X")
            try await site.createCustomer(2, topics: "A")
            _ = try await site.registered("b1", on: [1])
            let last = try await site.renameCustomer(1, to: "Bea")
            let answer = try await site.fetch("b1", from: 0, slice: "A*!X")
            #expect(answer.delivered == ["CREATE@2"], "only the entity without X; the synchronized one is blocked")
            #expect(answer.sequence == last)
            let unregistered = try await site.fetch(nil, from: 0, slice: "A*!X", registered: false)
            #expect(unregistered.delivered == ["CREATE@2"])
            let plain = try await site.fetch(nil, from: 0, slice: "A", registered: false)
            #expect(plain.delivered == ["CREATE@1", "CREATE@2", "PARTIAL@3"])
        }
    }

    @Test(arguments: TestStores.available)
    func synchronizedClientsGetThePartialNewOnesTheFull(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["synced", "fresh"]) { site in
            let created = try await site.createCustomer(1, topics: "A")
            // "synced" holds the entity (RegisterEntities) without selecting it; "fresh" selects it.
            #expect(try await site.registered("synced", on: [1]) == created)
            _ = try await site.registered("fresh")
            let updated = try await site.renameCustomer(1, to: "Bea")

            let synced = try await site.fetch("synced", from: created, slice: "B")
            #expect(synced.delivered == ["PARTIAL@\(updated)"])
            let fresh = try await site.fetch("fresh", from: created, slice: "A")
            #expect(fresh.delivered == ["FULL@\(updated)"])
            #expect(fresh.sequence == updated)
            #expect(try await site.registration("fresh", on: 1) == .unregistered, "not acknowledged yet (rule 3)")

            let again = try await site.renameCustomer(1, to: "Cleo")
            let next = try await site.fetch("fresh", from: fresh.sequence, slice: "A")
            #expect(try await site.registration("fresh", on: 1) == .synchronized)
            #expect(next.delivered == ["PARTIAL@\(again)"])
        }
    }

    @Test(arguments: TestStores.available)
    func refetchingFromAnOlderSequenceDeliversTheFullAgain(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["fresh"]) { site in
            let created = try await site.createCustomer(1, topics: "A")
            _ = try await site.registered("fresh")
            let updated = try await site.renameCustomer(1, to: "Bea")
            let first = try await site.fetch("fresh", from: created, slice: "A")
            #expect(first.delivered == ["FULL@\(updated)"])
            // The answer was lost: the client asks again from where it was.
            let lost = try await site.fetch("fresh", from: created, slice: "A")
            #expect(lost.delivered == ["FULL@\(updated)"])
            let later = try await site.renameCustomer(1, to: "Cleo")
            let third = try await site.fetch("fresh", from: created, slice: "A")
            #expect(third.delivered == ["FULL@\(updated)", "PARTIAL@\(later)"])
            #expect(try await site.registration("fresh", on: 1) == .unregistered)
            // A client restarted from older data than it acknowledged is refused (issue 10 item
            // 12): its registrations are persisted past that point; it must SyncLoad.
            _ = try await site.fetch("fresh", from: later, slice: "A")
            #expect(try await site.registration("fresh", on: 1) == .synchronized)
            let restarted = await serverError { try await site.fetch("fresh", from: 0, slice: "A") }
            #expect(restarted?.code == .tooFarBehind)
        }
    }

    @Test(arguments: TestStores.available)
    func unregisteredFetchesNeverGetAFull(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["anyone"]) { site in
            try await site.createCustomer(1, topics: "A")
            try await site.renameCustomer(1, to: "Bea")
            let answer = try await site.fetch(nil, from: 0, slice: "A", registered: false)
            #expect(answer.delivered == ["CREATE@1", "PARTIAL@2"])
            let later = try await site.fetch("anyone", from: 1, slice: "A", registered: false)
            #expect(later.delivered == ["PARTIAL@2"])
        }
    }

    @Test(arguments: TestStores.available)
    func withoutUseRegistrationARegisteredFetchIsServedUnregistered(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(useRegistration: false), clients: ["b1"]) { site in
            try await site.createCustomer(1, topics: "A")
            try await site.renameCustomer(1, to: "Bea")
            let answer = try await site.fetch("b1", from: 0, slice: "A")
            #expect(answer.delivered == ["CREATE@1", "PARTIAL@2"])
        }
    }

    @Test(arguments: TestStores.available)
    func aSliceChangeRoutesWithTheNewSlice(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            _ = try await site.registered("b1")
            try await site.createCustomer(1, topics: "A")
            try await site.createCustomer(2, topics: "B")
            #expect(try await site.fetch("b1", from: 0, slice: "A").delivered == ["CREATE@1"])
            #expect(try await site.fetch("b1", from: 0, slice: "B").delivered == ["CREATE@2"])
            #expect(try await site.fetch("b1", from: 2, slice: "A+B").delivered.isEmpty)
            #expect(try await site.registration("b1", on: 2) == .synchronized)
            #expect(try await site.registration("b1", on: 1) == .unregistered, "that answer was replaced, never acknowledged")
        }
    }

    @Test(arguments: TestStores.available)
    func unregisteredEntitiesStopReachingTheClient(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            let created = try await site.createCustomer(1, topics: "A")
            _ = try await site.registered("b1", on: [1])
            let updated = try await site.renameCustomer(1, to: "Bea")
            #expect(try await site.fetch("b1", from: created, slice: "B").delivered == ["PARTIAL@\(updated)"])
            let sequence = try await site.server.unregister(client: site.server.inProcessClient("b1"), entities: [EntityRef("Customer", Fixtures.id(1))], sequence: updated)
            #expect(sequence == updated)
            #expect(try await site.registration("b1", on: 1) == .unregistered)
            let later = try await site.renameCustomer(1, to: "Cleo")
            let answer = try await site.fetch("b1", from: updated, slice: "B")
            #expect(answer.delivered.isEmpty)
            #expect(answer.sequence == later)
        }
    }

    @Test(arguments: TestStores.available)
    func aClientThatMovedAheadOfItsSessionIsServedFromThere(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            _ = try await site.registered("b1")
            try await site.createCustomer(1, topics: "A")
            #expect(try await site.fetch("b1", from: 0, slice: "A").delivered == ["CREATE@1"])
            try await site.createCustomer(2, topics: "B")
            // The client registered what it holds (or loaded) and continues from the site's sequence.
            let sequence = try await site.registered("b1", on: [2])
            #expect(sequence == 2)
            let updated = try await site.renameCustomer(2, to: "Bea")
            let answer = try await site.fetch("b1", from: sequence, slice: "A")
            #expect(answer.delivered == ["PARTIAL@\(updated)"])
            #expect(try await site.registration("b1", on: 1) == .unregistered, "the CREATE at 1 was never acknowledged")
        }
    }
}
