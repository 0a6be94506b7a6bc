import ArborCore
@testable import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Synchronization
import Testing

@Suite("CacheServer: following the site's log")
struct CacheServerFollowTests {
    @Test(arguments: TestStores.available)
    func startLoadsTheStoreAndRunFollowsTheLog(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, start: false) { site in
            let before = try await site.write(customer(1, "A"), customer(2, "B", inCache: false))
            try await site.cache.start()
            #expect(site.cache.sequence == before)
            #expect(site.cache.snapshot().count == 2)
            #expect(site.cache.snapshot()[EntityKey("Customer", Fixtures.id(2))]?.state == nil)
            try await site.whileRunning {
                let sequence = try await site.write(customer(3, "A"))
                try await site.waitForCache(sequence)
                let cached = try #require(site.cache.snapshot()[EntityKey("Customer", Fixtures.id(3))]?.state)
                #expect(try await site.store.entities([cached.key]) == [cached])
            }
        }
    }

    @Test(arguments: TestStores.available)
    func runLoadsTheStoreWhenNotStarted(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, start: false) { site in
            let sequence = try await site.write(customer(1, "A"))
            try await site.whileRunning {
                try await site.waitForCache(sequence)
                #expect(site.cache.snapshot().count == 1)
            }
        }
    }

    @Test(arguments: TestStores.available)
    func updatesAndDeletesGiveTheStoresState(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let order = Fixtures.id(10)
            try await site.write(customer(1, "A"), Samples.orderCreate(id: order, lineId: Fixtures.id(11), taxId: Fixtures.id(12)))
            site.writeClock.advance(seconds: 1)
            try await site.write(EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("B"), fields: ["name": .text("Bob")]))
            try await site.write(EntityWrite(.update, entityClass: "Order", techId: order, fields: ["status": .text("paid")], subEntities: [
                SubEntityWrite(.update, collection: "lines", techId: Fixtures.id(11), parentId: order, fields: ["quantity": .int(3)]),
                SubEntityWrite(.create, collection: "lines", techId: Fixtures.id(13), parentId: order, fields: ["sku": .text("x"), "quantity": .int(1), "price": .double(2)]),
                SubEntityWrite(.delete, collection: "lines.taxes", techId: Fixtures.id(12), parentId: Fixtures.id(11)),
            ]))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(1)))
            try await site.advance()
            let keys: Set = [EntityKey("Customer", Fixtures.id(1)), EntityKey("Order", order)]
            let stored = try await site.store.entities(keys)
            #expect(stored.count == 2)
            let snapshot = site.cache.snapshot()
            for state in stored { #expect(snapshot[state.key]?.state == state) }
            #expect(snapshot[EntityKey("Customer", Fixtures.id(1))]?.isDeleted == true)
            #expect(snapshot[EntityKey("Customer", Fixtures.id(1))]?.topics == Fixtures.topics("B"))
        }
    }

    @Test(arguments: TestStores.available)
    func headersFollowUpdatesAndPurgesRemove(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let key = EntityKey("Customer", Fixtures.id(1))
            try await site.write(customer(1, "A", inCache: false), customer(2, "A"))
            site.writeClock.advance(seconds: 5)
            try await site.write(EntityWrite(.update, entityClass: "Customer", techId: key.techId, topics: Fixtures.topics("C"), fields: ["name": .text("x")]))
            try await site.write(EntityWrite(.delete, entityClass: "Customer", techId: key.techId))
            try await site.write(EntityWrite(.purge, entityClass: "Customer", techId: Fixtures.id(2)))
            try await site.advance()
            let stored = try #require(try await site.store.entities([key]).first)
            let snapshot = site.cache.snapshot()
            #expect(snapshot[key] == .header(EntityHeader(key: key, topics: Fixtures.topics("C"), updateTime: stored.updateTime, isDeleted: true)))
            #expect(snapshot[EntityKey("Customer", Fixtures.id(2))] == nil)
            #expect(snapshot.count == 1)
        }
    }

    @Test(arguments: TestStores.available)
    func siteTopicsAreIgnored(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend) { site in
            let client = try await site.addClient("app")
            // A son's create is logged with `#arbor.father` and `#arbor.notson.s1` before its topics.
            let at = Fixtures.time(CacheHarness.epoch)
            let state = EntityState(
                entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("A"), topicsTime: at,
                fields: ["deleted": TimedValue(.bool(false), at: at), "name": TimedValue(.text("s"), at: at), "vip": TimedValue(.bool(true), at: at)]
            )
            let receipt = try await site.context.entities.apply(Samples.buffer([state.delta(.create, topics: state.topics, oldTopics: nil)], sequence: 1, origin: "s1"), from: .son(clientId: "s1"))
            let logged = try Samples.loggedDeltas(try await site.store.readLog(after: 0, limit: 10), schema: site.store.schema).joined()
            #expect(logged.contains { $0.operation == .create && $0.topics.contains(SiteTopics.father) })
            try await site.advance()
            #expect(site.cache.sequence == receipt.sequence)
            #expect(site.cache.snapshot()[state.key]?.topics == Fixtures.topics("A"))
            #expect(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "arbor.father").buffers.isEmpty)
            #expect(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "arbor.father+A*!arbor.notson.s1").deltas.map(\.techId) == [state.techId])
            let delta = try #require(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A").deltas.first)
            #expect(delta.topics == Fixtures.topics("A"))
        }
    }

    /// Loads taken while a writer runs hold exactly the entities committed at or before the
    /// load's sequence (DESIGN rule 10).
    @Test(arguments: TestStores.available)
    func loadsAreConsistentWhileWritesGoOn(backend: TestStores.Backend) async throws {
        try await CacheHarness.with(backend, settings: SiteServerSettings(maximumDeltasPerLoadBuffer: 7)) { site in
            let client = try await site.addClient("app")
            try await site.whileRunning {
                let written = Mutex<[UUID: Int64]>([:])
                let writer = Task {
                    for n in 1...50 {
                        let sequence = try await site.write(customer(n, "A"))
                        written.withLock { $0[Fixtures.id(n)] = sequence }
                        // Spread the writes so loads land between them even on a busy machine.
                        try await Task.sleep(for: .milliseconds(15))
                    }
                }
                var loads: [DeltaBatch] = []
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    loads.append(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A"))
                    if loads.last?.deltas.count == 50 { break }
                    try await Task.sleep(for: .milliseconds(1))
                }
                try await writer.value
                // On a busy machine the loop may end before the writer: a load after the last
                // commit must then hold every entity (loads include every commit before them).
                if loads.last?.deltas.count != 50 { loads.append(try await site.cache.fullLoad(client: site.cache.inProcessClient(client.clientId), slice: "A")) }
                let commits = written.withLock { $0 }
                #expect(commits.count == 50)
                var partial = 0
                for load in loads {
                    let expected = Set(commits.filter { $0.value <= load.sequence }.keys)
                    #expect(ids(load) == expected, "load at sequence \(load.sequence)")
                    #expect(load.deltas.count == expected.count)
                    #expect(load.buffers.allSatisfy { $0.sequence == load.sequence && $0.deltas.count <= 7 })
                    if !expected.isEmpty && expected.count < 50 { partial += 1 }
                }
                #expect(loads.count > 1)
                #expect(partial > 0, "no load saw the writer half way: \(loads.map { "\($0.sequence):\($0.deltas.count)" })")
                #expect(loads.last?.deltas.count == 50)
            }
        }
    }
}
