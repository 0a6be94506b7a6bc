import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 4's story over real HTTP on each backend: an app writes through the API; two
/// registered edges with different slices (one with `!T`, one with a time window) receive
/// exactly what the rules say across loads, fetches, slice changes and a server restart.
@Suite(.heavy) struct SiteScenarioTests {
    @Test(arguments: TestStores.available)
    func twoEdgesFollowTheRules(backend: TestStores.Backend) async throws {
        var site = try await LinkedSite.start(backend)
        var scenario = try Scenario(site: site)
        do {
            try await scenario.create("c1", topics: ",A,")
            try await scenario.create("c2", topics: ",A,X,")
            try await scenario.create("c3", topics: ",B,")
            let old = scenario.id("old")
            // An entity last written two hours ago, as if received from a father.
            let longAgo = HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds() - 7_200_000_000)
            let oldCreate = try LocalWrite.delta(for: Samples.customerCreate(id: old, topics: Fixtures.topics("A")), existing: nil, at: longAgo, schema: site.store.schema)
            try await site.context.entities.apply(Samples.buffer([oldCreate], sequence: 1), from: .father)

            let east = try await scenario.edge("east")
            let west = try await scenario.edge("west", format: .json)
            let eastLoad = try await east.fullLoad(slice: "A*!X")
            #expect(scenario.names(in: eastLoad) == ["c1", "old"], "east's full load: !X keeps c2 out; no window keeps old in")
            let westLoad = try await west.fullLoad(slice: "(A+B)*TimeWindow3600")
            #expect(scenario.names(in: westLoad) == ["c1", "c2", "c3"], "west's full load: the window keeps old out")
            #expect(eastLoad.sequence == westLoad.sequence && eastLoad.sequence == 4)

            var through = try await scenario.update("c1", label: "c1 renamed")
            let got1 = try await scenario.received(east, through: through)
            #expect(got1 == ["PARTIAL c1"], "a synchronized client gets only the PARTIAL")
            let got2 = try await scenario.received(west, through: through)
            #expect(got2 == ["PARTIAL c1"])

            through = try await scenario.update("old", label: "old renamed")
            let got3 = try await scenario.received(east, through: through)
            #expect(got3 == ["PARTIAL old"])
            let got4 = try await scenario.received(west, through: through)
            #expect(got4 == ["FULL old"], "steady state ignores the window; first sight is a FULL")
            through = try await scenario.update("old", label: "old renamed again")
            let got5 = try await scenario.received(west, through: through)
            #expect(got5 == ["PARTIAL old"], "after acknowledging the FULL west is synchronized")
            _ = try await scenario.received(east, through: through)

            through = try await scenario.update("c2", label: "c2 loses X", topics: ",A,")
            let got6 = try await scenario.received(east, through: through)
            #expect(got6 == ["FULL c2"], "c2 enters east's slice: FULL only")
            let got7 = try await scenario.received(west, through: through)
            #expect(got7 == ["PARTIAL c2"])
            through = try await scenario.update("c1", label: "c1 gains X", topics: ",A,X,")
            let got8 = try await scenario.received(east, through: through)
            #expect(got8.isEmpty, "!X blocks even a registered entity")
            let got9 = try await scenario.received(west, through: through)
            #expect(got9 == ["PARTIAL c1"])

            // East changes its subscription to B*!X (§2.3).
            let partial = try await east.partialLoad(newSlice: "B*!X")
            #expect(scenario.names(in: partial) == ["c3"], "only newly selected, unregistered entities")
            let minus = try await east.selectMinus(oldSlice: "A*!X", newSlice: "B*!X")
            #expect(Set(minus.map { scenario.name($0.techId) }) == ["c2", "old"], "select-minus: selected by the old slice only")
            try await east.unregisterEntities(minus, sequence: partial.sequence)
            through = try await scenario.update("c2", label: "c2 after unregister")
            let got10 = try await scenario.received(east, through: through)
            #expect(got10.isEmpty, "an unregistered, unselected entity is not sent")
            through = try await scenario.update("c3", label: "c3 renamed")
            let got11 = try await scenario.received(east, through: through)
            #expect(got11 == ["PARTIAL c3"])
            let beforeRestart = HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds())
            _ = try await scenario.received(west, through: through)

            // Restart the server on the same database.
            let eastSequence = east.sequence
            await site.stop(keepData: true)
            site = try await LinkedSite.start(backend, reuse: (site.place, site.store.prefix))
            scenario = try scenarioOn(site, keeping: scenario)
            let restartedEast = try await reconnect(east, to: site, clientId: "east")
            #expect(try await restartedEast.skipLoad(slice: "B*!X", lastSequence: eastSequence) == eastSequence)
            through = try await scenario.update("c3", label: "c3 after restart")
            let got12 = try await scenario.received(restartedEast, through: through)
            #expect(got12 == ["PARTIAL c3"], "registrations survived the restart")
            through = try await scenario.update("c1", label: "c1 after restart")
            let restartedWest = try await reconnect(west, to: site, clientId: "west")
            let sync = try await restartedWest.syncLoad(slice: "(A+B)*TimeWindow3600", lastTransmissionTime: beforeRestart)
            #expect(scenario.names(in: sync) == ["c1", "c3"], "sync-load: changed since the last transmission")
            #expect(sync.deltas.allSatisfy { $0.operation == .create })

            let north = try await scenario.edge("north")
            await #expect(throws: EdgeError.self) { try await north.syncLoad(slice: "A", lastTransmissionTime: .zero) }
            let registered = try await north.syncLoad(entities: [EntityRef("Customer", scenario.id("c1"))], slice: "B", lastTransmissionTime: .zero)
            #expect(scenario.names(in: registered) == ["c1", "c3"], "with entities: registered ones and the slice's")
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    func scenarioOn(_ site: LinkedSite, keeping old: Scenario) throws -> Scenario {
        var fresh = try Scenario(site: site)
        for (id, name) in old.namesById { fresh.remember(id, as: name) }
        return fresh
    }

    func reconnect(_ edge: Edge, to site: LinkedSite, clientId: String) async throws -> Edge {
        try await site.context.clients.refresh()
        return try Edge(configuration: EdgeConfiguration(
            servers: [site.baseURL], clientId: clientId, useRegistration: true, schema: Fixtures.retailSchema, fetchWait: .seconds(2)
        ))
    }
}
