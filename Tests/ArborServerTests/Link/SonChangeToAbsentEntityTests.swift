import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A son's upload may change an entity its father does not hold at that moment: the father's
/// slice was just widened and not loaded yet, it dropped the entity a moment before, or it was
/// restored from an older copy (nemesis seed 4177348682 at 10,000 operations: the leaf's move of
/// an entity reached east while east, restarted with a wider slice, had not loaded it back; east
/// dropped the change, so the leaf's acknowledged write never reached the center). The father
/// now loads such an entity from its own father first, then merges the son's change.
@Suite(.serialized, .heavy) struct SonChangeToAbsentEntityTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    /// Starts center → branch1 (slice A) → leaf1 (slice A), with Customer 1 at all three.
    func tree(_ sites: StartedSites, _ backend: TestStores.Backend) async throws -> (center: LinkedSite, branch: LinkedSite, leaf: LinkedSite) {
        let center = sites.keep(try await LinkedSite.start(backend, siteName: "center", sons: ["b1"]))
        try await center.create(id(1), name: "from the center")
        let branch = sites.keep(try await LinkedSite.start(.sqlite, siteName: "branch1", father: testLinkSettings(father: center.baseURL), sons: ["leaf1"]))
        let leaf = sites.keep(try await LinkedSite.start(.sqlite, siteName: "leaf1", father: testLinkSettings(father: branch.baseURL, clientId: "leaf1")))
        try await eventually("the leaf holds Customer 1") { try await leaf.customer(id(1)) != nil }
        return (center, branch, leaf)
    }

    /// The branch loses its copy and logs nothing, as a branch restored from a copy older than
    /// the entity does (a drop or purge would log a DELETE that removes the leaf's copy too).
    func removeAtBranchSilently(_ branch: LinkedSite) async throws {
        let key = EntityKey("Customer", id(1))
        _ = try await branch.store.write(reading: [key]) { _ in TransactionPlan(purges: [key], result: ()) }
        #expect(try await branch.customer(id(1)) == nil)
    }

    @Test("a son's change to an entity its father lacks is merged after the father loads it from above", arguments: TestStores.available)
    func sonChangeToAnEntityTheFatherLacksReachesTheCenter(center backend: TestStores.Backend) async throws {
        try await StartedSites.run { sites in
            let (center, branch, leaf) = try await tree(sites, backend)
            try await removeAtBranchSilently(branch)
            try await leaf.update(id(1), ["name": .text("written at the leaf")])
            try await eventually("the leaf's write reaches the center") { try await center.field("name", of: id(1)) == .text("written at the leaf") }
            #expect(try await branch.field("name", of: id(1)) == .text("written at the leaf"), "the branch holds the entity again, with the leaf's write")
            // Registered at the center again: later changes from above reach the branch and the leaf.
            try await center.update(id(1), ["email": .text("above@example.com")])
            try await eventually("the center's later change reaches the leaf") { try await leaf.field("email", of: id(1)) == .text("above@example.com") }
            #expect(try await leaf.field("name", of: id(1)) == .text("written at the leaf"))
        }
    }

    @Test("while the father cannot load the entity the upload waits, and nothing is lost", arguments: TestStores.available)
    func uploadWaitsWhileTheFathersFatherIsAway(center backend: TestStores.Backend) async throws {
        try await StartedSites.run { sites in
            let (stopped, branch, leaf) = try await tree(sites, backend)
            try await removeAtBranchSilently(branch)
            await sites.stopKeepingData(stopped)
            try await leaf.update(id(1), ["name": .text("written while the center was away")])
            try await leaf.create(id(2), name: "created at the leaf meanwhile")
            // The branch cannot merge the change yet; it must not acknowledge the leaf's log past it.
            try await Task.sleep(for: .seconds(2))
            #expect(try await branch.customer(id(1)) == nil)
            #expect(try await branch.customer(id(2)) == nil, "the upload is applied in order, so nothing after the waiting change either")
            let center = sites.keep(
                try await LinkedSite.start(backend, siteName: "center", port: stopped.port, reuse: (stopped.place, stopped.store.prefix), sons: ["b1"]))
            try await eventually("the leaf's change reaches the center") {
                try await center.field("name", of: id(1)) == .text("written while the center was away")
            }
            try await eventually("and so does what the leaf wrote after it") { try await center.field("name", of: id(2)) == .text("created at the leaf meanwhile") }
        }
    }
}
