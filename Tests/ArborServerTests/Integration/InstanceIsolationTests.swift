import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Several Arbor instances on one machine (§7.2): two real `arbor serve` processes on the same
/// database, each with its own instance suffix in URLs and its own table prefix, see nothing
/// of each other — not the log, not the clients table, not a client's cut-off.
@Suite(.serialized, .heavy) struct InstanceIsolationTests {
    /// One instance: its prefix, URL suffix and serve process.
    struct Instance {
        let prefix: TablePrefix
        let name: String
        let server: ServeProcess

        func edge(_ clientId: String? = nil, secret: String? = nil, instance: String? = nil) throws -> Edge {
            try Edge(configuration: EdgeConfiguration(
                servers: [server.baseURL], instance: instance ?? name, clientId: clientId, clientSecret: secret,
                useRegistration: clientId != nil, schema: Fixtures.retailSchema, fetchWait: .seconds(20)
            ))
        }
    }

    @Test(arguments: TestStores.available)
    func instancesOnOneDatabaseSeeOnlyTheirOwnData(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        var prefixes: [TablePrefix] = []
        while prefixes.count < 2 {
            let prefix = TestStores.randomPrefix()
            if !prefixes.contains(prefix) { prefixes.append(prefix) }
        }
        var servers: [ServeProcess] = []
        do {
            var instances: [Instance] = []
            for (prefix, name) in zip(prefixes, ["east", "west"]) {
                let initialized = try await ArborCommand.run(["init"] + ArborCommand.storeArguments(place, prefix: prefix))
                #expect(initialized.status == 0, "\(initialized)")
                let server = try await ServeProcess.start(["--db", place.databaseURL, "--prefix", prefix.value, "--instance", name])
                servers.append(server)
                instances.append(Instance(prefix: prefix, name: name, server: server))
            }
            try await Self.checkIsolation(place, instances[0], instances[1])
        } catch {
            for server in servers { await server.stop() }
            await Self.removeTables(place, prefixes)
            throw error
        }
        for server in servers { await server.stop() }
        await Self.removeTables(place, prefixes)
    }

    private static func checkIsolation(_ place: TestStores.Place, _ east: Instance, _ west: Instance) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-isolation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // 'shop' exists only at east; 'till' at both, with a different secret at each.
        #expect(try await ArborCommand.clients(["add", "shop"], at: place, prefix: east.prefix).status == 0)
        for (instance, secret) in [(east, "east-till-secret"), (west, "west-till-secret")] {
            let file = directory.appendingPathComponent("\(instance.name).secret")
            try Data(secret.utf8).write(to: file)
            let added = try await ArborCommand.clients(["add", "till", "--secret-file", file.path], at: place, prefix: instance.prefix)
            #expect(added.status == 0, "\(added)")
        }

        // The clients table of each prefix lists only its own rows.
        let eastList = try await ArborCommand.clients(["list"], at: place, prefix: east.prefix)
        let westList = try await ArborCommand.clients(["list"], at: place, prefix: west.prefix)
        #expect(eastList.status == 0 && eastList.output.contains("shop") && eastList.output.contains("till"), "\(eastList)")
        #expect(westList.status == 0 && !westList.output.contains("shop") && westList.output.contains("till"), "\(westList)")

        let eastTill = try east.edge("till", secret: "east-till-secret"), westTill = try west.edge("till", secret: "west-till-secret")
        try await eventually("both instances see client 'till'", timeout: .seconds(30)) {
            let eastServed = (try? await eastTill.fullLoad(slice: "A")) != nil
            let westServed = (try? await westTill.fullLoad(slice: "A")) != nil
            return eastServed && westServed
        }

        // Writes through each instance (as 'till', with each instance's secret: writes need a client).
        let eastWrite = try await eastTill.append([Samples.customerCreate(id: Fixtures.id(1), name: "East")])
        let westWrite = try await westTill.append([Samples.customerCreate(id: Fixtures.id(2), name: "West")])
        #expect(eastWrite.sequence == westWrite.sequence, "each instance has its own log, starting at the same place")

        // Loads see only their instance's writes.
        let shop = try east.edge("shop")
        try await eventually("east sees client 'shop'", timeout: .seconds(30)) { (try? await shop.fullLoad(slice: "A")) != nil }
        #expect(try await shop.fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(1)])
        #expect(try await westTill.fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(2)])
        #expect(try await eastTill.fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(1)])

        // A client of east is unknown at west; one instance's secret does not open the other.
        try await expectCode(.unknownClient, "east's client 'shop' at west") { try await west.edge("shop").fullLoad(slice: "A") }
        try await expectCode(.notAuthenticated, "east's secret of 'till' at west") {
            try await west.edge("till", secret: "east-till-secret").fullLoad(slice: "A")
        }

        // Fetches: a write at west never reaches east's client, and east's own write does.
        _ = try await west.edge("till", secret: "west-till-secret").append([Samples.customerCreate(id: Fixtures.id(3), name: "West again")])
        #expect(try await shop.fetchDeltasOnce(waitMilliseconds: 1_000).isEmpty, "a write at west reached east")
        _ = try await east.edge("till", secret: "east-till-secret").append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["vip": .bool(true)])])
        let fetched = try await shop.fetchDeltasOnce(waitMilliseconds: 5_000).flatMap(\.deltas).map(\.techId)
        #expect(fetched == [Fixtures.id(1)], "east's client got \(fetched)")

        // Disabling 'till' at east cuts east's long poll only; west's stays open and is served.
        _ = try await eastTill.fetchDeltasOnce(waitMilliseconds: 0)
        _ = try await westTill.fetchDeltasOnce(waitMilliseconds: 0)
        let eastPoll = Task { try await eastTill.fetchDeltasOnce(waitMilliseconds: 20_000) }
        let westPoll = Task { try await westTill.fetchDeltasOnce(waitMilliseconds: 20_000) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await ArborCommand.clients(["disable", "till"], at: place, prefix: east.prefix).status == 0)
        let cut = await eastPoll.result
        if case .failure(let error) = cut {
            #expect((error as? EdgeError)?.code == .clientDisabled, "\(error)")
        } else {
            Issue.record("east's long poll was answered, not cut off: \(cut)")
        }
        try await Task.sleep(for: .milliseconds(600))
        _ = try await west.edge("till", secret: "west-till-secret").append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), fields: ["vip": .bool(true)])])
        let served = try await westPoll.value.flatMap(\.deltas).map(\.techId)
        #expect(served == [Fixtures.id(2)], "west's 'till' got \(served) after east disabled its own 'till'")
        let westAgain = try await ArborCommand.clients(["list"], at: place, prefix: west.prefix)
        #expect(westAgain.output.contains("(0 disabled)"), "west's table changed: \(westAgain)")

        // A request to east's port with west's instance name is a clear 404.
        let wrong = try await post(east.server.baseURL + "/arbor/\(west.name)/cache/full-load", body: #"{"slice":"A"}"#)
        #expect(wrong.status == 404, "\(wrong.status): \(wrong.text)")
        #expect(wrong.text.contains("\"NotFound\"") && wrong.text.contains("instance '\(east.name)'"), "\(wrong.text)")
        try await expectCode(.notFound, "east's port with west's instance name") {
            try await east.edge("shop", instance: west.name).fullLoad(slice: "A")
        }
    }

    private static func expectCode<T>(_ code: ArborErrorCode, _ what: String, _ body: () async throws -> T) async throws {
        do {
            _ = try await body()
            Issue.record("\(what) was served")
        } catch let error as EdgeError {
            #expect(error.code == code, "\(what): \(error)")
        }
    }

    private static func post(_ url: String, body: String) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: ArborProtocol.jsonMediaType)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// Drops both prefixes' tables (and the SQLite file once both are gone).
    private static func removeTables(_ place: TestStores.Place, _ prefixes: [TablePrefix]) async {
        for (index, prefix) in prefixes.enumerated() {
            guard let store = try? await TestStores.open(place, prefix: prefix) else { continue }
            if index == prefixes.count - 1 {
                await TestStores.remove(store, place)
            } else {
                try? await store.uninstall()
                await store.close()
            }
        }
    }
}
