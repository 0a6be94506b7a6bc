import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("CacheServer: sync-load, skip-load and refusals")
struct CacheServerSyncTests {
    @Test(arguments: TestStores.available)
    func syncLoadWithoutEntitiesNeedsKnownRegistrations(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"), customer(2, "A"), customer(3, "C"))
            let since = site.writeClock.now + 1
            site.writeClock.advance(seconds: 60)
            try await site.write(EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), fields: ["name": .text("new")]))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(3)))
            try await site.write(customer(4, "A"))
            try await site.advance()
            await expectServerError(.notRegistered) {
                _ = try await site.cache.syncLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastTransmissionTime: since)
            }

            try await site.context.registrations.set([Fixtures.id(3): .unsynchronized], for: client.bit)
            try await site.context.registrations.markKnown(client.bit)
            let answer = try await site.cache.syncLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastTransmissionTime: since)
            // 2 and 4 changed in the slice, 3 (registered, out of the slice) was deleted: the client learns it.
            #expect(ids(answer) == Set([2, 3, 4].map(Fixtures.id)))
            #expect(answer.deltas.first { $0.techId == Fixtures.id(3) }?.fields["deleted"]?.value == .bool(true))
            #expect(answer.deltas.first { $0.techId == Fixtures.id(2) }?.fields["name"]?.value == .text("new"))
            #expect(try await site.states(client, [1, 2, 3, 4].map(Fixtures.id)) == [
                Fixtures.id(1): .unregistered, Fixtures.id(2): .synchronized, Fixtures.id(3): .synchronized, Fixtures.id(4): .synchronized,
            ])
            let everything = try await site.cache.syncLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastTransmissionTime: 0)
            #expect(ids(everything) == Set([1, 2, 3, 4].map(Fixtures.id)))
            #expect(site.plugs.events.last == "subscription app A")
        }
    }

    @Test(arguments: TestStores.available)
    func syncLoadWithEntitiesRegistersThemFirst(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("son")
            try await site.write(customer(1, "A"), customer(2, "C"), customer(3, "C"), customer(4, "C", "T"))
            try await site.advance()
            let answer = try await site.cache.syncLoad(
                client: site.cache.inProcessClient(client.clientId), slice: "A*!T", lastTransmissionTime: 0,
                entities: [EntityRef("Customer", Fixtures.id(2)), EntityRef("Customer", Fixtures.id(4)), EntityRef("Customer", Fixtures.id(99))]
            )
            // 4 is registered but carries T, which the slice negates: withheld from an application
            // client, which becomes unsynchronized on it (its next delivery of 4 is a FULL).
            #expect(ids(answer) == Set([1, 2].map(Fixtures.id)))
            #expect(try await site.context.registrations.isKnown(client.bit))
            #expect(try await site.states(client, [1, 2, 3, 4, 99].map(Fixtures.id)) == [
                Fixtures.id(1): .synchronized, Fixtures.id(2): .synchronized, Fixtures.id(3): .unregistered,
                Fixtures.id(4): .unsynchronized, Fixtures.id(99): .synchronized,
            ])
            await expectServerError(.badRequest) {
                _ = try await site.cache.syncLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastTransmissionTime: 0, entities: [EntityRef("Planet", Fixtures.id(1))])
            }
        }
    }

    /// The nemesis of issue 10 (seed 20261203, 50,000 operations): a son's slice change that
    /// had to load its whole new slice passed, with the load's position, the move of an entity it
    /// held into a topic the slice negates; the load left it out, so the son kept a stale copy
    /// the father counted synchronized. A son gets such an entity, as steady state sends it.
    @Test(arguments: TestStores.available)
    func syncLoadSendsASonTheRegisteredEntitiesItsSliceNegates(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let son = try await site.store.addClient(id: "east", bit: nil, role: .son)
            try await site.context.clients.refresh()
            try await site.write(customer(1, "east"), customer(2, "east"))
            try await site.context.registrations.set([Fixtures.id(1): .synchronized, Fixtures.id(2): .synchronized], for: son.bit)
            try await site.context.registrations.markKnown(son.bit)
            try await site.write(EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), topics: Fixtures.topics("hold")))
            try await site.advance()
            let answer = try await site.cache.syncLoad(client: site.cache.inProcessClient("east"), slice: "east*!hold", lastTransmissionTime: 0)
            #expect(ids(answer) == Set([1, 2].map(Fixtures.id)))
            #expect(answer.deltas.first { $0.techId == Fixtures.id(2) }?.topics == Fixtures.topics("hold"))
            #expect(try await site.states(son, [1, 2].map(Fixtures.id)) == [Fixtures.id(1): .synchronized, Fixtures.id(2): .synchronized])
        }
    }

    @Test(arguments: TestStores.available)
    func skipLoadChecksTheSequence(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, settings: SiteServerSettings(retainedSequences: 2)) { site in
            let client = try await site.addClient("app")
            for n in 1...5 { try await site.write(customer(n, "A")) }
            try await site.advance()
            await expectServerError(.notRegistered) { _ = try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 4) }
            _ = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")

            #expect(try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B", lastSequence: 4) == 4)
            #expect(site.plugs.events.last == "subscription app A+B")
            #expect(try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 3) == 3)
            await expectServerError(.tooFarBehind) { _ = try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 2) }
            // Beyond the log's end: the site's log is shorter than the client's history of it (restored).
            await expectServerError(.logReplaced) { _ = try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 6) }
            await expectServerError(.badRequest) { _ = try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: -1) }
            // A position of another log of the site (it was restored from a backup) is refused however it compares.
            let log = try await SiteIncarnation.ensure(in: site.store)
            #expect(try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 4, logIncarnation: log) == 4)
            await expectServerError(.logReplaced) {
                _ = try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 4, logIncarnation: UUID())
            }
            // A commit the cache has not read yet is still in the log.
            try await site.write(customer(6, "A"))
            #expect(try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 6) == 6)
        }
    }

    @Test(arguments: TestStores.available)
    func everyRequestNeedsAKnownEnabledClientAndAPermittedSlice(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, permit: NoSecretPermit()) { site in
            let client = try await site.addClient("app")
            try await site.addClient("off")
            try await site.store.setClientDisabled(id: "off", disabled: true)
            try await site.context.clients.refresh()
            // A request without a client cannot be made in-process (the type needs one); over HTTP it
            // is refused by the identity middleware (RequestIdentityTests).
            let requests: [(String, String) async throws -> Void] = [
                { _ = try await site.cache.fullLoad(client: site.cache.inProcessClient($0), slice: $1) },
                { _ = try await site.cache.partialLoad(client: site.cache.inProcessClient($0), slice: $1) },
                { _ = try await site.cache.syncLoad(client: site.cache.inProcessClient($0), slice: $1, lastTransmissionTime: 0, entities: []) },
                { _ = try await site.cache.skipLoad(client: site.cache.inProcessClient($0), slice: $1, lastSequence: 0) },
                { _ = try await site.cache.selectMinus(client: site.cache.inProcessClient($0), oldSlice: $1, newSlice: $1) },
            ]
            for request in requests {
                await expectServerError(.unknownClient) { try await request("ghost", "A") }
                await expectServerError(.clientDisabled) { try await request("off", "A") }
                await expectServerError(.sliceSyntax) { try await request(client.clientId, "A+(B") }
                await expectServerError(.notPermitted) { try await request(client.clientId, "A+Secret") }
            }
            await expectServerError(.notPermitted) { _ = try await site.cache.selectMinus(client: site.cache.inProcessClient(client.clientId), oldSlice: "Secret", newSlice: "A") }
            #expect(site.plugs.events.isEmpty)
        }
    }

    @Test(arguments: TestStores.available)
    func loadsWaitForTheStoreToBeRead(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, start: false) { site in
            let client = try await site.addClient("app")
            await expectServerError(.internalError) { _ = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A") }
        }
    }

    @Test(arguments: TestStores.available)
    func withoutRegistrationLoadsTouchNoRegistrations(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, settings: SiteServerSettings(useRegistration: false)) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"), customer(2, "B"))
            try await site.advance()
            #expect(ids(try await site.cache.partialLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B")) == Set([1, 2].map(Fixtures.id)))
            #expect(ids(try await site.cache.syncLoad(client: site.cache.inProcessClient(client.clientId), slice: "B", lastTransmissionTime: 0)) == [Fixtures.id(2)])
            #expect(ids(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")) == [Fixtures.id(1)])
            #expect(try await site.cache.skipLoad(client: site.cache.inProcessClient(client.clientId), slice: "A", lastSequence: 1) == 1)
            #expect(try await site.states(client, [1, 2].map(Fixtures.id)).values.allSatisfy { $0 == .unregistered })
            #expect(try await site.context.registrations.isKnown(client.bit) == false)
        }
    }
}
