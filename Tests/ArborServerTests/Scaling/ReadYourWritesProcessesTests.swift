import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Testing

/// Issue 10 item 6 with real processes on loopback: two `arbor serve` processes on one
/// database; an edge appends at one and another edge fetches with `waitMilliseconds: 0` at the
/// other right after each answer. Every fetch must hold the append just acknowledged — the
/// second process's log tail learns of the commit only by a wake-up or its poll, so without
/// catching up with the store first it answers the sequence before it.
@Suite(.serialized, .heavy) struct ReadYourWritesProcessesTests {
    static let rounds = 40

    @Test(.heavy(timeLimit: .seconds(180)), arguments: TestStores.available)
    func anAppendAtOneProcessIsInTheNextFetchAtTheOther(backend: TestStores.Backend) async throws {
        let site = try await TreeSite(name: "center", backend: backend, clients: ["reader"], father: nil)
        var processes: [ServeProcess] = []
        do {
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            let writer = try Edge(configuration: EdgeConfiguration(
                servers: [processes[0].baseURL], clientId: TreeSite.appClient, schema: Fixtures.retailSchema, requestTimeout: .seconds(20)))
            let reader = try Edge(configuration: EdgeConfiguration(
                servers: [processes[1].baseURL], clientId: "reader", schema: Fixtures.retailSchema, requestTimeout: .seconds(20)))
            _ = try await reader.fullLoad(slice: "rw")
            var missed: [Int] = []
            for n in 1...Self.rounds {
                let id = UUID()
                let write = EntityWrite(
                    .create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: ",rw,"),
                    fields: ["name": .text("round \(n)"), "vip": .bool(false)])
                let appended = try #require(try await writer.append([write]).sequence)
                let buffers = try await reader.fetchDeltasOnce(waitMilliseconds: 0)
                if !buffers.flatMap(\.deltas).contains(where: { $0.techId == id }) || reader.sequence < appended { missed.append(n) }
            }
            #expect(missed.isEmpty, "\(missed.count) of \(Self.rounds) fetches missed the append just acknowledged: rounds \(missed)")
        } catch {
            Issue.record("\(error)")
        }
        for process in processes { _ = await process.stop() }
        await site.remove()
    }
}
