import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation

/// Two in-process sites that receive identical deltas (same times), for comparing digests.
struct VerifySites {
    static let clientId = "verifier"

    let a: LinkedSite
    let b: LinkedSite
    private var sequence: Int64 = 0

    /// Starts both sites on `backend` with client ``clientId`` known at both.
    static func start(_ backend: TestStores.Backend) async throws -> VerifySites {
        let a = try await LinkedSite.start(backend, siteName: "center")
        let b: LinkedSite
        do { b = try await LinkedSite.start(backend, siteName: "shop") } catch {
            await a.stop()
            throw error
        }
        let sites = VerifySites(a: a, b: b)
        do {
            for site in [a, b] {
                _ = try await site.store.addClient(id: clientId, bit: nil)
                try await site.context.clients.refresh()
            }
        } catch {
            await sites.stop()
            throw error
        }
        return sites
    }

    func stop() async {
        await a.stop()
        await b.stop()
    }

    /// Runs `body` with started sites, stopping them however it ends.
    static func with(_ backend: TestStores.Backend, _ body: (inout VerifySites) async throws -> Void) async throws {
        var sites = try await start(backend)
        do { try await body(&sites) } catch {
            await sites.stop()
            throw error
        }
        await sites.stop()
    }

    /// Merges `write`, turned into a delta at `time` against what `reference` holds, at each
    /// of `sites` — the same delta everywhere, as replication would deliver it.
    mutating func write(_ write: EntityWrite, at time: Int64, to sites: [LinkedSite], reference: LinkedSite? = nil) async throws {
        let source = reference ?? sites[0]
        let existing = try await source.store.entities([EntityKey(write.entityClass, write.techId)]).first
        let delta = try LocalWrite.delta(for: write, existing: existing, at: Fixtures.time(time), schema: Fixtures.retailSchema)
        sequence += 1
        for site in sites {
            let report = try await site.context.entities.apply(Samples.buffer([delta], sequence: sequence), from: .father).result
            guard report.missing.isEmpty else { throw TestStoreError("site \(site.context.siteName) lacks \(report.missing)") }
        }
    }

    /// An edge asking `site` as ``clientId``.
    static func edge(_ site: LinkedSite, clientId: String = clientId) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [site.baseURL], clientId: clientId, schema: Fixtures.retailSchema))
    }

    /// The report comparing both sites' digests for `slice`, asked over HTTP.
    func report(slice: String) async throws -> VerifyReport {
        let digestsA = try await Self.edge(a).digests(slice: slice)
        let digestsB = try await Self.edge(b).digests(slice: slice)
        return VerifyReport(a: digestsA, b: digestsB)
    }
}
