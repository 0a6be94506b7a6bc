import ArborCore
import ArborEdge
import ArborReplica
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Issue 14: an embedded replica against a father served in-process on loopback.
@Suite("Replica")
struct ReplicaTests {
    @Test(arguments: TestStores.available)
    func aNewReplicaLoadsItsSliceFromTheFather(father backend: TestStores.Backend) async throws {
        try await withFather(backend) { father, replicaPath in
            let inSlice = UUID(), outside = UUID()
            try await father.write([customer(inSlice, "Ann", ",A,"), customer(outside, "Out", ",B,")])
            let replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
            try await closing(replica) {
                try await eventually("the replica loads the father's customer") { try await replica.entity("Customer", inSlice) != nil }
                try await eventually("the status says connected") { try await replica.status().connected }
                #expect(try await replica.entity("Customer", outside) == nil, "only the slice is replicated")
                #expect(try await replica.entities(ofClass: "Customer").map(\.techId) == [inSlice])
            }
        }
    }

    @Test func anExistingReplicaOpensStandaloneAndReadsAndWrites() async throws {
        try await withFather { father, replicaPath in
            let loaded = UUID()
            try await father.write([customer(loaded, "Ann", ",A,")])
            try await loadOnce(replicaPath, from: father, waitingFor: loaded)
            await father.stop()

            let replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
            try await closing(replica) {
                #expect(try await replica.entity("Customer", loaded)?.fields["name"]?.value == .text("Ann"))
                let offline = UUID()
                #expect(try await replica.write([customer(offline, "Bob", ",A,")]) != nil)
                #expect(try await replica.entity("Customer", offline)?.fields["name"]?.value == .text("Bob"), "a local write is visible at once")
                let status = try await replica.status()
                #expect(!status.connected && !status.connectedToCenter)
                #expect(status.pendingUploads >= 1)
            }
        }
    }

    @Test(arguments: TestStores.available)
    func offlineWritesAndTheFathersChangesMeetWhenTheFatherReturns(father backend: TestStores.Backend) async throws {
        try await withFather(backend) { father, replicaPath in
            let shared = UUID()
            try await father.write([customer(shared, "Ann", ",A,")])
            try await loadOnce(replicaPath, from: father, waitingFor: shared)
            await father.stop()

            let replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
            try await closing(replica) {
                let offline = UUID()
                try await replica.write([customer(offline, "Bob", ",A,"), EntityWrite(.update, entityClass: "Customer", techId: shared, fields: ["email": .text("ann@b1")])])
                // Meanwhile the father changes another field of the shared customer.
                let returned = try await FatherSite.start(database: father.database, port: father.port)
                try await returned.write([EntityWrite(.update, entityClass: "Customer", techId: shared, fields: ["name": .text("Ann H.")])])
                try await eventually("the father receives both offline writes") {
                    let states = try await returned.store.entities([EntityKey("Customer", offline), EntityKey("Customer", shared)])
                    return states.count == 2 && states.first { $0.techId == shared }?.fields["email"]?.value == .text("ann@b1")
                }
                try await eventually("the replica gets the father's update and keeps its own field") {
                    let state = try await replica.entity("Customer", shared)
                    return state?.fields["name"]?.value == .text("Ann H.") && state?.fields["email"]?.value == .text("ann@b1")
                }
                try await eventually("nothing is pending and the link is connected") {
                    let status = try await replica.status()
                    return status.connected && status.pendingUploads == 0
                }
                await returned.stop()
            }
        }
    }

    @Test func theChangeStreamYieldsLocalWritesAndTheFathersChanges() async throws {
        try await withFather { father, replicaPath in
            let replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: father.url))
            try await closing(replica) {
                try await eventually("the link is connected") { try await replica.status().connected }
                var changes = replica.changes().makeAsyncIterator()
                let local = UUID(), remote = UUID()
                try await replica.write([customer(local, "Loc", ",A,")])
                #expect(try await changes.next()?.deltas.contains { $0.techId == local } == true, "the local write first")
                try await father.write([customer(remote, "Rem", ",A,")])
                var seen = false
                while !seen, let buffer = try await changes.next() { seen = buffer.deltas.contains { $0.techId == remote } }
                #expect(seen, "then the father's create")
            }
        }
    }

    @Test func aReplicaFindsItsFatherByDiscoveryAndFollowsItToANewAddress() async throws {
        let database = try FatherDatabase.make(.sqlite), replicaPath = temporarySQLitePath("replica")
        defer { removeSQLite(replicaPath) }
        let udpPort = try await freeUDPPort()
        let father = try await FatherSite.start(database: database, announcePort: udpPort)
        let first = UUID()
        try await father.write([customer(first, "Ann", ",A,")])
        let discovery = ReplicaDiscovery(finder: SiteFinder(destinations: ["127.0.0.1:\(udpPort)"], wait: .milliseconds(300)), retryInterval: .milliseconds(300))
        let replica: Replica
        do {
            replica = try await Replica.open(replicaConfiguration(path: replicaPath, father: nil, discovery: discovery))
        } catch {
            await father.stop()
            await database.remove()
            throw error
        }
        var moved: FatherSite?
        try await closing(replica) {
            do {
                try await eventually("the replica finds the father and loads from it") { try await replica.entity("Customer", first) != nil }
                // The father comes back on another port: discovery moves the link there.
                await father.stop()
                let returned = try await FatherSite.start(database: database, announcePort: udpPort)
                moved = returned
                #expect(returned.port != father.port)
                let second = UUID()
                try await returned.write([customer(second, "Bob", ",A,")])
                try await eventually("the replica follows the father to its new address") { try await replica.entity("Customer", second) != nil }
            } catch {
                await moved?.stop()
                await database.remove()
                throw error
            }
        }
        await moved?.stop()
        await database.remove()
    }

    @Test func aReplicaWithAListenerServesEdgesWhileItsFatherIsDown() async throws {
        try await withFather { father, replicaPath in
            let loaded = UUID()
            try await father.write([customer(loaded, "Ann", ",A,")])
            try await loadOnce(replicaPath, from: father, waitingFor: loaded)
            await father.stop()
            var configuration = replicaConfiguration(path: replicaPath, father: father.url)
            let (ports, bound) = AsyncStream<Int>.makeStream()
            configuration.listener = ReplicaListener(port: 0) { bound.yield($0) }
            let replica = try await Replica.open(configuration)
            try await closing(replica) {
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let offline = UUID()
                try await replica.write([customer(offline, "Bob", ",A,")])
                // The replica's own clients table names who may read it.
                _ = try await replica.store.addClient(id: "till", bit: nil, role: .application)
                let edge = try Edge(configuration: EdgeConfiguration(servers: ["http://127.0.0.1:\(port)"], clientId: "till", schema: Fixtures.retailSchema))
                var load = DeltaBatch(buffers: [], sequence: 0)
                try await eventually("the replica's listener knows the new client") {
                    do { load = try await edge.fullLoad(slice: "A") } catch let error as EdgeError where error.code == .notAuthenticated || error.code == .unknownClient { return false }
                    return true
                }
                #expect(Set(load.buffers.flatMap(\.deltas).map(\.techId)) == [loaded, offline], "the replica's data, its offline write included")
            }
        }
    }

    @Test func aReplicaWithoutFatherServersOrDiscoveryIsRefused() async throws {
        let path = temporarySQLitePath("replica")
        defer { removeSQLite(path) }
        await #expect(throws: ReplicaError.self) { _ = try await Replica.open(replicaConfiguration(path: path, father: nil)) }
    }

    // MARK: Helpers

    private func customer(_ id: UUID, _ name: String, _ topics: String) throws -> EntityWrite {
        Samples.customerCreate(id: id, name: name, topics: try TopicsList(parsing: topics))
    }

    /// Runs `body` with a started father on `backend` and a replica path, removing both after.
    private func withFather(_ backend: TestStores.Backend = .sqlite, _ body: (FatherSite, String) async throws -> Void) async throws {
        let database = try FatherDatabase.make(backend), replicaPath = temporarySQLitePath("replica")
        defer { removeSQLite(replicaPath) }
        let father = try await FatherSite.start(database: database)
        do { try await body(father, replicaPath) } catch {
            await father.stop()
            await database.remove()
            throw error
        }
        await father.stop()
        await database.remove()
    }

    /// Creates the replica at `path`, waits until it holds `id`, and closes it.
    private func loadOnce(_ path: String, from father: FatherSite, waitingFor id: UUID) async throws {
        let replica = try await Replica.open(replicaConfiguration(path: path, father: father.url))
        try await closing(replica) {
            try await eventually("the replica loads from the father") { try await replica.entity("Customer", id) != nil }
        }
    }

    private func closing(_ replica: Replica, _ body: () async throws -> Void) async throws {
        do { try await body() } catch {
            await replica.close()
            throw error
        }
        await replica.close()
    }

    private func freeUDPPort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
