import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("CacheServer: full and partial loads, select-minus")
struct CacheServerLoadTests {
    @Test(arguments: TestStores.available)
    func fullLoadAppliesTheSliceAndTimeWindows(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, settings: SiteServerSettings(maximumDeltasPerLoadBuffer: 2)) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"), customer(2, "A", "X"))
            site.writeClock.advance(seconds: 7_200)
            try await site.write(customer(3, "A"), customer(4, "B"), customer(5, "A"), customer(6, "A"))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(6)))
            try await site.advance()
            site.loadClock.set(site.writeClock.now + 10_000_000)

            let all = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")
            #expect(ids(all) == Set([1, 2, 3, 5].map(Fixtures.id)))
            #expect(all.sequence == site.cache.sequence)
            #expect(all.buffers.map(\.deltas.count) == [2, 2])
            for buffer in all.buffers {
                #expect(buffer.sequence == all.sequence)
                #expect(buffer.originSite == "center")
                #expect(buffer.schemaName == Fixtures.retailSchema.name)
                #expect(buffer.deltas.allSatisfy { $0.operation == .create && $0.oldTopics == nil })
            }
            let stored = try await site.store.entities(Set([1, 2, 3, 5].map { EntityKey("Customer", Fixtures.id($0)) }))
            #expect(Set(all.deltas) == Set(stored.map { $0.delta(.create, topics: $0.topics, oldTopics: nil) }))

            // Entities written two hours ago fall out of a one-minute window; steady state would ignore it, loads do not.
            let recent = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A*TimeWindow60")
            #expect(ids(recent) == Set([3, 5].map(Fixtures.id)))
            let absolute = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "(A+B)*!X*TimeWindow[14/11/2023 23:00:00]")
            #expect(ids(absolute) == Set([3, 4, 5].map(Fixtures.id)))
            #expect(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "Nothing").buffers.isEmpty)
        }
    }

    @Test(arguments: TestStores.available)
    func fullLoadRegistersExactlyTheSentEntities(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            let other = try await site.addClient("other")
            try await site.write(customer(1, "A"), customer(2, "A"), customer(3, "B"), customer(4, "A"))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(4)))
            try await site.advance()
            let everyone = [1, 2, 3, 4].map(Fixtures.id)
            // Entity 9 is not in the snapshot (as one the client created after it): its registration stays.
            try await site.context.registrations.set([
                Fixtures.id(3): .synchronized, Fixtures.id(4): .unsynchronized, Fixtures.id(1): .unsynchronized, Fixtures.id(9): .synchronized,
            ], for: client.bit)
            try await site.context.registrations.set([Fixtures.id(3): .synchronized], for: other.bit)
            #expect(try await site.context.registrations.isKnown(client.bit) == false)

            let answer = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")
            #expect(ids(answer) == Set([1, 2].map(Fixtures.id)))
            #expect(try await site.states(client, everyone) == [
                Fixtures.id(1): .synchronized, Fixtures.id(2): .synchronized, Fixtures.id(3): .unregistered, Fixtures.id(4): .unregistered,
            ])
            #expect(try await site.states(client, [Fixtures.id(9)]) == [Fixtures.id(9): .synchronized])
            #expect(try await site.states(other, [Fixtures.id(3)]) == [Fixtures.id(3): .synchronized])
            #expect(try await site.context.registrations.isKnown(client.bit))
            #expect(site.plugs.events == ["began app \(answer.sequence)", "ended app \(answer.sequence) 2", "subscription app A"])
        }
    }

    @Test(arguments: TestStores.available)
    func entitiesNotInCacheAreReadWholeThroughTheReader(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            let order = Fixtures.id(10)
            try await site.write(customer(1, "A", inCache: false, name: "outside"), customer(2, "A"), customer(3, "B", inCache: false))
            try await site.write(Samples.orderCreate(id: order, lineId: Fixtures.id(11), taxId: Fixtures.id(12)))
            try await site.advance()
            #expect(site.cache.snapshot()[EntityKey("Customer", Fixtures.id(1))]?.state == nil)

            let answer = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")
            #expect(site.reader.requested == [EntityKey("Customer", Fixtures.id(1))])
            let outside = try #require(answer.deltas.first { $0.techId == Fixtures.id(1) })
            #expect(outside.fields["name"]?.value == .text("outside"))
            #expect(outside.inCache == false)
            let stored = try await site.store.entities([EntityKey("Customer", Fixtures.id(1)), EntityKey("Order", order)])
            #expect(Set(stored.map { $0.delta(.create, topics: $0.topics, oldTopics: nil) }).isSubset(of: Set(answer.deltas)))
            #expect(answer.deltas.first { $0.techId == order }?.subEntities.count == 2)
        }
    }

    @Test(arguments: TestStores.available)
    func partialLoadSendsOnlyNewlySelectedUnregisteredEntities(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"), customer(2, "A"), customer(3, "B"), customer(4, "B"), customer(5, "B"), customer(6, "C"))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(5)))
            try await site.advance()
            await expectServerError(.notRegistered) { _ = try await site.cache.partialLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B") }

            _ = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")
            // Entity 4 is known to exist at the client (registered, not synchronized): not sent again.
            try await site.context.registrations.set([Fixtures.id(4): .unsynchronized], for: client.bit)
            let answer = try await site.cache.partialLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B")
            #expect(ids(answer) == [Fixtures.id(3)])
            #expect(try await site.states(client, [1, 2, 3, 4, 5, 6].map(Fixtures.id)) == [
                Fixtures.id(1): .synchronized, Fixtures.id(2): .synchronized, Fixtures.id(3): .synchronized,
                Fixtures.id(4): .unsynchronized, Fixtures.id(5): .unregistered, Fixtures.id(6): .unregistered,
            ])
            #expect(try await site.cache.partialLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B").buffers.isEmpty)
            #expect(site.plugs.events.last == "subscription app A+B")
        }
    }

    @Test(arguments: TestStores.available)
    func selectMinusListsEntitiesLeavingTheSlice(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"), customer(2, "B"), customer(3, "B"))
            site.writeClock.advance(seconds: 3_600)
            try await site.write(customer(4, "A"))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(3)))
            try await site.advance()
            site.loadClock.set(site.writeClock.now + 1_000_000)
            _ = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A+B")
            let before = try await site.states(client, [1, 2, 3, 4].map(Fixtures.id))

            let minus = try await site.cache.selectMinus(client: site.cache.inProcessClient(client.clientId), oldSlice: "A+B", newSlice: "A")
            #expect(minus == [EntityRef("Customer", Fixtures.id(2))])
            let windowed = try await site.cache.selectMinus(client: site.cache.inProcessClient(client.clientId), oldSlice: "A", newSlice: "A*TimeWindow600")
            #expect(windowed == [EntityRef("Customer", Fixtures.id(1))])
            #expect(try await site.states(client, [1, 2, 3, 4].map(Fixtures.id)) == before)
        }
    }

    @Test(arguments: TestStores.available)
    func anAbortedSnapshotFails(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            try await site.write(customer(1, "A"))
            try await site.advance()
            site.plugs.abortSnapshots(true)
            let error = await expectServerError(.internalError) { _ = try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A") }
            #expect(error?.message.contains("snapshot aborted") == true)
            #expect(site.plugs.events == ["began app 1", "ended app 1 0"])
            #expect(try await site.states(client, [Fixtures.id(1)]) == [Fixtures.id(1): .unregistered])
        }
    }
}
