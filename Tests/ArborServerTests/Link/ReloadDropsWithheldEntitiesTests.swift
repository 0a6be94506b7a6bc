import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A son's registering reload from time 0 (its father lost its registrations, the son was
/// upgraded to a newer schema) registers it on everything it holds, and the answer leaves out
/// what the father withholds from it (a topic its slice negates). Such a held copy must go:
/// nothing of it would ever come down again (nemesis seed 350829863: the leaf's reload after
/// its schema upgrade passed over a move to `,hold,`, and its old `,shared,` copy stayed).
@Suite(.serialized, .heavy) struct ReloadDropsWithheldEntitiesTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    @Test("a reload whose answer withholds a held entity drops it", arguments: TestStores.available)
    func reloadDropsAHeldEntityTheFatherWithholds(center backend: TestStores.Backend) async throws {
        try await StartedSites.run { sites in
            let chain = try await NegatingChain.start(sites, center: backend)
            let (center, branch, first, leafSettings) = (chain.center, chain.branch, chain.leaf, chain.leafSettings)
            let place = first.place, prefix = first.store.prefix
            await sites.stopKeepingData(first)

            // While the leaf is away, entity 1 gains the topic its slice negates, and the branch
            // loses its registrations of the leaf (as `arbor clients remove` + `add` does).
            try await center.context.entities.write([
                EntityWrite(.update, entityClass: "Customer", techId: id(1), topics: try TopicsList(parsing: ",A,X,"))
            ])
            try await eventually("the branch holds the move") { try await branch.customer(id(1))?.topics == (try TopicsList(parsing: ",A,X,")) }
            let bit = try #require(try await branch.store.clients().first { $0.clientId == "leaf1" }?.bit)
            try await RegistrationTable.clearPersisted(bit, in: branch.store)
            await branch.context.registrations.forgetCached(bit)

            let leaf = sites.keep(try await LinkedSite.start(.sqlite, siteName: "leaf1", reuse: (place, prefix), father: leafSettings))
            try await eventually("the leaf lets go of its old copy of entity 1") { try await leaf.customer(id(1)) == nil }
            try await center.create(id(2), name: "after the reload")
            try await eventually("the leaf follows its slice") { try await leaf.field("name", of: id(2)) == .text("after the reload") }
        }
    }
}
