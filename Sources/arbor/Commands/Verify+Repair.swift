import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import AsyncHTTPClient
import Foundation
import Logging

/// `arbor verify --repair`: mends site A (a son) from site B (its father), then compares again.
extension Verify {
    /// How long the second comparison waits for A's servers to read the repair from A's log.
    static let settleTimeout: Duration = .seconds(30)

    /// Replaces A's copies of the entities `report` names with B's; returns whether the sites
    /// compare equal afterwards (printing the second comparison).
    func repairAndCompare(_ report: VerifyReport, trustRoots: EdgeTrustRoots?, secret: String?) async throws(CommandFailure) -> Bool {
        let store = try await openSon()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: trustRoots))
        let result: Result<Bool, CommandFailure>
        do {
            let schema = try loadSchema()
            let father = try edge(against, schema: schema, option: "--against", client: client, secret: secret)
            let outcome: SiteRepair.Outcome
            do {
                outcome = try await SiteRepair.repair(report.entries.map(\.entity), slice: slice, son: EntitiesSubsystem(store: store), father: father)
            } catch let error as EdgeError {
                throw CommandFailure("site B (\(against)): \(error.code): \(error.message)")
            } catch let error as StoreError {
                throw CommandFailure("site A's database: \(error.description)")
            } catch {
                throw CommandFailure("repair failed: \(error)")
            }
            for entity in outcome.replaced { print("repaired: \(entity.entityClass) \(entity.techId.uuidString) replaced by B's copy") }
            for entity in outcome.removed { print("repaired: \(entity.entityClass) \(entity.techId.uuidString) removed at A (B does not hold it)") }
            print("repaired: \(outcome.replaced.count) replaced, \(outcome.removed.count) removed")
            result = .success(try await compareUntilSettled(client, secret: secret))
        } catch let failure as CommandFailure {
            result = .failure(failure)
        } catch {
            result = .failure(CommandFailure("\(error)"))
        }
        try? await client.shutdown()
        await store.close()
        return try result.get()
    }

    /// Compares again until equal or ``settleTimeout``: A's servers pick the repair up from
    /// A's log, which takes a moment. Prints the last comparison.
    private func compareUntilSettled(_ client: HTTPClient, secret: String?) async throws(CommandFailure) -> Bool {
        let deadline = ContinuousClock.now + Self.settleTimeout
        while true {
            let (a, b) = try await fetchBoth(client, secret: secret)
            let report = VerifyReport(a: a, b: b)
            if report.isEqual || ContinuousClock.now >= deadline {
                print("after repair:")
                print(report.description)
                return report.isEqual
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private func openSon() async throws(CommandFailure) -> any SiteStore {
        var location: DatabaseLocation, prefix: TablePrefix
        do { location = try DatabaseLocation(parsing: sonDb ?? "") } catch { throw CommandFailure("--son-db: \(error.message)") }
        do {
            location = try location.resolvingPassword(PostgresPasswordSources(environment: ProcessInfo.processInfo.environment), urlSource: "--son-db").location
        } catch { throw CommandFailure("--son-db: \(error.message)") }
        do { prefix = try TablePrefix(sonPrefix) } catch { throw CommandFailure("--son-prefix: \(error.message)") }
        let configuration = StoreConfiguration(location: location, schema: try loadSchema(), prefix: prefix, siteName: sonName ?? "")
        try SiteDatabaseCheck.requireExistingFile(location, source: "--son-db")
        do {
            let store = try await SiteStores.open(configuration, logger: Logger(label: "arbor.verify"))
            guard try await store.storedSchema() != nil else {
                await store.close()
                throw CommandFailure("--son-db \(location): no Arbor site there (run `arbor init` first?)")
            }
            return store
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("cannot open --son-db \(location): \(error)")
        }
    }
}
