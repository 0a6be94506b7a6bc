import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation
import Logging
import Testing

/// End to end with real `arbor serve` processes on loopback: writes through the API reach a
/// registered edge, and SIGTERM ends open long polls and the process promptly.
@Suite(.serialized, .heavy) struct ServeProcessTests {
    @Test(arguments: TestStores.available)
    func servesEdgesAndStopsGracefully(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let database = place.databaseURL
        // The operator's part: tables and a client row.
        let store = try await TestStores.open(place, prefix: prefix)
        _ = try await store.addClient(id: "shop", bit: nil)
        _ = try await store.addClient(id: "app", bit: nil)
        let server = try await ServeProcess.start(["--db", database, "--prefix", prefix.value])
        do {
            let schema = Fixtures.retailSchema
            let app = try Edge(configuration: EdgeConfiguration(servers: [server.baseURL], clientId: "app", schema: schema))
            let shop = try Edge(configuration: EdgeConfiguration(
                servers: [server.baseURL], clientId: "shop", useRegistration: true, schema: schema, fetchWait: .seconds(20)
            ))
            #expect(try await shop.status(server: .delta).up)
            let first = try await app.append([Samples.customerCreate(id: Fixtures.id(1))])
            let load = try await shop.fullLoad(slice: "A")
            #expect(load.deltas.map(\.techId) == [Fixtures.id(1)] && load.sequence == first.sequence)
            _ = try await app.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["vip": .bool(true)])])
            let update = try await shop.fetchDeltas()
            #expect(update.flatMap(\.deltas).map(\.operation) == [.partial])

            // A long poll is open when SIGTERM arrives: it must be answered and the process exit promptly.
            // The poll must be open at the server before SIGTERM: a request still in flight on
            // the edge's kept-alive connection when shutdown starts is dropped with the idle
            // connection ("closed the connection without answering"), which is not what this
            // test is about. 3 s of the 20 s poll leave a wide margin on a loaded machine.
            let poll = Task { try await shop.fetchDeltasOnce(waitMilliseconds: 20_000) }
            try await Task.sleep(for: .seconds(3))
            let stopping = await server.stop(grace: .seconds(30))
            let answered = try await poll.value
            #expect(answered.isEmpty)
            // Prompt means "not after the 20 s long poll", with room for a loaded machine.
            #expect(stopping < .seconds(15), "shutdown took \(stopping)")
            #expect(server.process.terminationStatus == 0, "exit status \(server.process.terminationStatus): \(server.output.suffix(1_000))")
        } catch {
            await server.stop()
            await TestStores.remove(store, place)
            throw error
        }
        await TestStores.remove(store, place)
    }
}
