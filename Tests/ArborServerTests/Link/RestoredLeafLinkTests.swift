import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A leaf restored from an older copy re-joins with a registering SyncLoad from time 0, which
/// brings every held entity its father still holds. One the father dropped meanwhile (it left
/// the father's reach) is in no answer: kept, it stays stale for good (nemesis seed 4177348682
/// at 10,000 operations: a leaf restored from a backup taken while it was cut off kept an
/// entity its father east had dropped; its registration at east was there, east's copy was not).
@Suite(.serialized, .heavy) struct RestoredLeafLinkTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    func move(_ site: LinkedSite, _ id: UUID, to topics: String) async throws {
        try await site.context.entities.write([EntityWrite(.update, entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics))])
    }

    @Test("a restored leaf drops what its father dropped while it was away, and keeps its own writes the father has not got yet", arguments: TestStores.available)
    func restoredLeafDropsWhatItsFatherNoLongerHolds(center backend: TestStores.Backend) async throws {
        let center = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"])
        var branch: LinkedSite?
        var leaf: LinkedSite?
        do {
            try await center.create(id(1), name: "leaves the branch")
            try await center.create(id(2), name: "stays")
            let middle = try await LinkedSite.start(
                .sqlite, siteName: "branch1", father: testLinkSettings(father: center.baseURL, slice: "A*!X"), sons: ["leaf1"])
            branch = middle
            let first = try await LinkedSite.start(
                .sqlite, siteName: "leaf1", father: testLinkSettings(father: middle.baseURL, clientId: "leaf1", slice: "A"))
            leaf = first
            try await eventually("the leaf holds both entities") {
                let one = try await first.customer(id(1)), two = try await first.customer(id(2))
                return one != nil && two != nil
            }

            // The leaf stops; what it holds now is the copy restored later.
            let place = first.place, prefix = first.store.prefix
            leaf = nil
            await first.stop(keepData: true)
            let store = try await TestStores.open(place, prefix: prefix, siteName: "leaf1")
            do {
                try await SiteIncarnation.markRestored(store)
                // A write of the copy the father never got: it must survive the re-join.
                try await EntitiesSubsystem(store: store).write([
                    Samples.customerCreate(id: id(3), name: "the leaf's own", topics: try TopicsList(parsing: ",A,"))
                ])
            } catch {
                await store.close()
                throw error
            }
            await store.close()

            // Meanwhile the center gives entity 1 a topic the branch's slice negates: the branch drops it.
            try await move(center, id(1), to: ",A,X,")
            try await eventually("the branch drops entity 1") { try await middle.customer(id(1)) == nil }

            let restored = try await LinkedSite.start(
                .sqlite, siteName: "leaf1", reuse: (place, prefix), father: testLinkSettings(father: middle.baseURL, clientId: "leaf1", slice: "A"))
            leaf = restored
            try await eventually("the leaf's own write reaches the center") { try await center.field("name", of: id(3)) == .text("the leaf's own") }
            // A marker shows the restored leaf fetched past its re-join.
            try await center.create(id(4), name: "marker")
            try await eventually("the marker reaches the leaf") { try await restored.field("name", of: id(4)) == .text("marker") }
            #expect(try await restored.customer(id(1)) == nil, "the branch no longer holds entity 1, so the leaf must not keep its old copy")
            #expect(try await restored.field("name", of: id(2)) == .text("stays"))
            #expect(try await restored.field("name", of: id(3)) == .text("the leaf's own"), "a write the father had not got is kept")
            try await eventually("the leaf is unregistered on entity 1 at the branch") {
                (try await middle.store.registrations([id(1)])[id(1)] ?? .none).isEmpty
            }
            try await center.update(id(2), ["name": .text("renamed")])
            try await eventually("the leaf still follows what it holds") { try await restored.field("name", of: id(2)) == .text("renamed") }
        } catch {
            await leaf?.stop()
            await branch?.stop()
            await center.stop()
            throw error
        }
        await leaf?.stop()
        await branch?.stop()
        await center.stop()
    }

    /// Nemesis seed 350829863: a leaf (slice `A*!X`) restored from a copy whose log holds its own
    /// old write to an entity kept that entity as "written here, not acknowledged yet", while its
    /// father held it with `,A,X,` and rightly sent nothing of it: the leaf kept the old `,A,`
    /// copy for good. Once the re-join's upload covers the log, the father is asked again.
    @Test("a restored leaf's own old write does not keep, for good, a copy its father now withholds", arguments: TestStores.available)
    func restoredLeafLetsGoOfAnOldCopyOnceItsWritesAreUp(center backend: TestStores.Backend) async throws {
        try await StartedSites.run { sites in
            let chain = try await NegatingChain.start(sites, center: backend)
            let (center, branch, first, leafSettings) = (chain.center, chain.branch, chain.leaf, chain.leafSettings)
            // The leaf's own write, acknowledged above: the restored copy's log holds it.
            try await first.update(id(1), ["email": .text("leaf@example.com")])
            try await eventually("the leaf's write reaches the center") { try await center.field("email", of: id(1)) == .text("leaf@example.com") }

            let place = first.place, prefix = first.store.prefix
            await sites.stopKeepingData(first)
            let store = try await TestStores.open(place, prefix: prefix, siteName: "leaf1")
            do { try await SiteIncarnation.markRestored(store) } catch {
                await store.close()
                throw error
            }
            await store.close()

            // Meanwhile the center gives entity 1 the topic the leaf's slice negates; the branch keeps it.
            try await move(center, id(1), to: ",A,X,")
            try await eventually("the branch holds the move") { try await branch.customer(id(1))?.topics == (try TopicsList(parsing: ",A,X,")) }

            let restored = sites.keep(try await LinkedSite.start(.sqlite, siteName: "leaf1", reuse: (place, prefix), father: leafSettings))
            try await eventually("the restored leaf lets go of its old copy of entity 1") { try await restored.customer(id(1)) == nil }
            try await eventually("and is unregistered on it at the branch") {
                (try await branch.store.registrations([id(1)])[id(1)] ?? .none).isEmpty
            }
            #expect(try await center.field("email", of: id(1)) == .text("leaf@example.com"))
            try await center.create(id(2), name: "after the re-join")
            try await eventually("the leaf still follows its slice") { try await restored.field("name", of: id(2)) == .text("after the re-join") }
        }
    }
}
