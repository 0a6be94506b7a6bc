import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A father that drops entities (its own slice narrowed) makes its sons drop them too (issue 10,
/// nemesis seed 3557516176): a son cannot stay up to date on an entity through a father that no
/// longer holds it, so a copy kept there would go stale forever (the nemesis found a leaf keeping
/// old topics and an old email of entities its father east had dropped, and one deleted since).
@Suite(.serialized, .heavy) struct FatherDropCascadeTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    @Test("a branch narrowing A+B → A drops the B-only entities at its leaf too; the A ones stay up to date", arguments: TestStores.available)
    func leafFollowsItsFathersDrop(center backend: TestStores.Backend) async throws {
        let center = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"])
        var branch: LinkedSite?
        var leaf: LinkedSite?
        do {
            try await center.create(id(1), name: "ab", topics: ",A,B,")
            for n in 10..<13 { try await center.create(id(n), name: "b\(n)", topics: ",B,") }
            let first = try await LinkedSite.start(
                .sqlite, siteName: "branch1", father: testLinkSettings(father: center.baseURL, slice: "A+B"), sons: ["leaf1"])
            branch = first
            leaf = try await LinkedSite.start(
                .sqlite, siteName: "leaf1", father: testLinkSettings(father: first.baseURL, clientId: "leaf1", slice: "B"))
            try await eventually("the leaf holds every B entity") {
                for n in [1, 10, 11, 12] where try await leaf!.customer(id(n)) == nil { return false }
                return true
            }

            // The branch narrows to A, at the same port, so the leaf's link comes back to it.
            let port = first.port, place = first.place, prefix = first.store.prefix
            branch = nil
            await first.stop(keepData: true)
            branch = try await LinkedSite.start(
                .sqlite, siteName: "branch1", port: port, reuse: (place, prefix),
                father: testLinkSettings(father: center.baseURL, slice: "A"))
            try await eventually("the branch drops the B-only entities") {
                for n in 10..<13 where try await branch!.customer(id(n)) != nil { return false }
                return true
            }
            try await eventually("and so does the leaf", timeout: .seconds(60)) {
                for n in 10..<13 where try await leaf!.customer(id(n)) != nil { return false }
                return true
            }
            try await center.update(id(1), ["name": .text("ab renamed")])
            try await eventually("the entity the branch kept still reaches the leaf", timeout: .seconds(60)) {
                try await leaf!.field("name", of: id(1)) == .text("ab renamed")
            }
            #expect(try await center.field("name", of: id(10)) == .text("b10"), "a drop is local: the center keeps them")
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
}
