import ArborCore
import ArborReplica
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("Replica")
struct ReplicaTests {
    @Test("an existing replica opens standalone, reads and writes offline, and converges when the father returns")
    func standaloneThenConverges() async throws {
        let fatherPath = temporarySQLitePath("father"), replicaPath = temporarySQLitePath("replica")
        defer { removeSQLite(fatherPath); removeSQLite(replicaPath) }
        var father = try await FatherSite.start(path: fatherPath)
        let fromFather = UUID()
        try await EntitiesSubsystem(store: father.store, limits: WriteLimits()).write([Samples.customerCreate(id: fromFather, name: "Ann", topics: try TopicsList(parsing: ",A,"))])

        // First open: the replica is created and loads from the father.
        var replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
        try await eventually("the replica loads the father's customer") { try await replica.entity("Customer", fromFather) != nil }
        try await eventually("the status says connected") { try await replica.status().connected }
        await replica.close()
        await father.stop()

        // Standalone: the father is down; the replica opens, reads and writes.
        replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
        do {
            #expect(try await replica.entity("Customer", fromFather) != nil)
            #expect(try await replica.entities(ofClass: "Customer").count == 1)
            let offline = UUID()
            var changes = replica.changes().makeAsyncIterator()
            let sequence = try await replica.write([Samples.customerCreate(id: offline, name: "Bob", topics: try TopicsList(parsing: ",A,"))])
            #expect(sequence != nil)
            #expect(try await replica.entity("Customer", offline)?.fields["name"]?.value == .text("Bob"))
            let change = try await changes.next()
            #expect(change?.deltas.contains { $0.techId == offline } == true)
            #expect(try await replica.status().connected == false)
            #expect(try await replica.status().pendingUploads >= 1)

            // The father returns on the same port: the offline write is uploaded.
            father = try await FatherSite.start(path: fatherPath, port: father.port)
            try await eventually("the father receives the offline write") {
                try await father.store.entities([EntityKey("Customer", offline)]).first != nil
            }
            try await eventually("nothing is pending and the link is connected") {
                let status = try await replica.status()
                return status.connected && status.pendingUploads == 0
            }
        } catch {
            await replica.close()
            await father.stop()
            throw error
        }
        await replica.close()
        await father.stop()
    }
}
