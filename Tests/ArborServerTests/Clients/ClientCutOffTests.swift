import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A running site follows its clients table (§2.7): disabling ends a client's open long poll
/// within a second and refuses it, enabling serves it again, and a bit freed by removing a
/// client starts clean for the next client given it.
@Suite(.heavy) struct ClientCutOffTests {
    /// How the operator changes the table.
    enum Via: String, CustomStringConvertible, CaseIterable {
        case cli, store
        var description: String { rawValue }
    }

    @Test(arguments: TestStores.available, Via.allCases)
    func disablingEndsAnOpenLongPollAndEnablingServesAgain(backend: TestStores.Backend, via: Via) async throws {
        let site = try await LinkedSite.start(backend)
        do {
            try await Self.disableAndEnable(site, via: via)
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    @Test(arguments: TestStores.available)
    func aBitFreedByRemoveStartsCleanForTheNextClient(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend)
        do {
            try await Self.removeAndReuse(site)
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    private static func disableAndEnable(_ site: LinkedSite, via: Via) async throws {
        _ = try await site.store.addClient(id: "shop", bit: nil)
        try await eventually("the site sees client 'shop'") { site.context.clients.client("shop") != nil }
        let app = try Edge(configuration: EdgeConfiguration(servers: [site.baseURL], clientId: TreeSite.appClient, schema: Fixtures.retailSchema))
        _ = try await app.append([Samples.customerCreate(id: Fixtures.id(1))])
        let shop = try edge(site, clientId: "shop")
        #expect(try await shop.fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(1)])

        let poll = Task { try await shop.fetchDeltasOnce(waitMilliseconds: 20_000) }
        try await Task.sleep(for: .milliseconds(300))
        try await setDisabled(true, "shop", site, via: via)
        let disabledAt = ContinuousClock.now
        let ended = await poll.result
        let took = ContinuousClock.now - disabledAt
        #expect(code(of: ended) == .clientDisabled, "the open long poll ends with ClientDisabled: \(ended)")
        // The issue's 1 s is asserted with real server processes (SecurityEndToEndTests,
        // BranchProxyProcessesTests); here the server shares the test process's two-core
        // thread pool with every other test running at once, so the bound only catches a
        // cut-off that waits for something (a long poll's end, a slow poll).
        #expect(took < .seconds(10), "the long poll ended \(took) after the client was disabled")

        let refused = await outcome { try await shop.fetchDeltasOnce(waitMilliseconds: 0) }
        #expect(code(of: refused) == .clientDisabled, "a new fetch is refused: \(refused)")
        let refusedLoad = await outcome { try await shop.fullLoad(slice: "A") }
        #expect(code(of: refusedLoad) == .clientDisabled, "a new load is refused: \(refusedLoad)")

        try await setDisabled(false, "shop", site, via: via)
        try await eventually("client 'shop' is served again", timeout: .seconds(60)) { site.context.clients.client("shop")?.isDisabled == false }
        _ = try await app.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["vip": .bool(true)])])
        let delivered = try await shop.fetchDeltasOnce(waitMilliseconds: 5_000)
        #expect(delivered.flatMap(\.deltas).map(\.techId) == [Fixtures.id(1)], "the enabled client gets the update")
    }

    private static func removeAndReuse(_ site: LinkedSite) async throws {
        let bit = try #require(ClientBit(3))
        _ = try await site.store.addClient(id: "old", bit: bit)
        try await eventually("the site sees client 'old'") { site.context.clients.client("old") != nil }
        let app = try Edge(configuration: EdgeConfiguration(servers: [site.baseURL], clientId: TreeSite.appClient, schema: Fixtures.retailSchema))
        _ = try await app.append([Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("A"))])
        _ = try await app.append([Samples.customerCreate(id: Fixtures.id(2), topics: Fixtures.topics("B"))])
        let old = try edge(site, clientId: "old")
        #expect(try await old.fullLoad(slice: "A+B").deltas.count == 2)
        _ = try await old.fetchDeltasOnce(waitMilliseconds: 0)
        let ids: Set<UUID> = [Fixtures.id(1), Fixtures.id(2)]
        #expect(try await site.context.registrations.states(of: bit, on: ids).values.allSatisfy { $0 == .synchronized })

        let place = site.place, prefix = site.store.prefix
        let removed = try await ArborCommand.clients(["remove", "old"], at: place, prefix: prefix)
        #expect(removed.status == 0, "\(removed)")
        let added = try await ArborCommand.clients(["add", "new", "--bit", "3"], at: place, prefix: prefix)
        #expect(added.status == 0 && added.output.contains("with bit 3"), "\(added)")
        try await eventually("the site sees client 'new'") { site.context.clients.client("new") != nil }
        try await eventually("the site forgets the old client's registrations", timeout: .seconds(60)) {
            try await site.context.registrations.states(of: bit, on: ids).values.allSatisfy { $0 == .unregistered }
        }

        // The new client's registrations are unknown: a registered fetch is refused until it loads.
        let delta = DeltaServer(context: site.context)
        let request = FetchRequest(fromSequence: 0, slice: "A+B", registered: true, waitMilliseconds: 0)
        do {
            _ = try await delta.fetch(client: delta.inProcessClient("new"), request: request)
            Issue.record("a registered fetch of the new client was served")
        } catch {
            #expect(error.code == .notRegistered, "\(error)")
        }
        let fresh = try edge(site, clientId: "new")
        let resume = await outcome { try await fresh.skipLoad(slice: "A+B", lastSequence: 0) }
        #expect(code(of: resume) == .notRegistered, "\(resume)")

        // A full load registers exactly what it sends.
        #expect(try await fresh.fullLoad(slice: "B").deltas.map(\.techId) == [Fixtures.id(2)])
        let states = try await site.context.registrations.states(of: bit, on: ids)
        #expect(states == [Fixtures.id(1): .unregistered, Fixtures.id(2): .synchronized])
        let persisted = try await site.store.registrations(ids)
        #expect(persisted[Fixtures.id(1)].map { $0.state(of: bit) } ?? .unregistered == .unregistered)
        #expect(persisted[Fixtures.id(2)]?.state(of: bit) == .synchronized)

        // An update of the old client's other entity does not reach the new client.
        _ = try await app.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["vip": .bool(true)])])
        _ = try await app.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), fields: ["vip": .bool(true)])])
        var received: [UUID] = []
        while !received.contains(Fixtures.id(2)) {
            received += try await fresh.fetchDeltasOnce(waitMilliseconds: 5_000).flatMap(\.deltas).map(\.techId)
        }
        #expect(!received.contains(Fixtures.id(1)), "\(received)")
    }

    private static func edge(_ site: LinkedSite, clientId: String) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(
            servers: [site.baseURL], clientId: clientId, useRegistration: true, schema: Fixtures.retailSchema, fetchWait: .seconds(20)
        ))
    }

    private static func setDisabled(_ disabled: Bool, _ clientId: String, _ site: LinkedSite, via: Via) async throws {
        switch via {
        case .store:
            try await site.store.setClientDisabled(id: clientId, disabled: disabled)
        case .cli:
            let run = try await ArborCommand.clients([disabled ? "disable" : "enable", clientId], at: site.place, prefix: site.store.prefix)
            #expect(run.status == 0, "\(run)")
        }
    }

    private static func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    private static func code<T>(of result: Result<T, any Error>) -> ArborErrorCode? {
        guard case .failure(let error) = result else { return nil }
        return (error as? EdgeError)?.code
    }
}

