import ArborServer
import ArborTesting
import Foundation

/// The chain the tests of withheld copies share: a center holding Customer 1, a branch on
/// slice `A` and a leaf on `A*!X` that holds Customer 1 too.
struct NegatingChain {
    var center: LinkedSite
    var branch: LinkedSite
    var leaf: LinkedSite
    /// The leaf's link settings, to start it again on its kept data.
    var leafSettings: FatherLinkSettings

    /// Starts the chain, the center on `backend`, each site kept by `sites`.
    static func start(_ sites: StartedSites, center backend: TestStores.Backend) async throws -> NegatingChain {
        let center = sites.keep(try await LinkedSite.start(backend, siteName: "center", sons: ["b1"]))
        try await center.create(Fixtures.id(1), name: "moves to X")
        let branch = sites.keep(try await LinkedSite.start(
            .sqlite, siteName: "branch1", father: testLinkSettings(father: center.baseURL, slice: "A"), sons: ["leaf1"]))
        let leafSettings = testLinkSettings(father: branch.baseURL, clientId: "leaf1", slice: "A*!X")
        let leaf = sites.keep(try await LinkedSite.start(.sqlite, siteName: "leaf1", father: leafSettings))
        try await eventually("the leaf holds entity 1") { try await leaf.customer(Fixtures.id(1)) != nil }
        return NegatingChain(center: center, branch: branch, leaf: leaf, leafSettings: leafSettings)
    }
}
