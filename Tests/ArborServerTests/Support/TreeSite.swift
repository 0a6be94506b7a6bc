import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation

/// One site of an end-to-end tree: its database, its `arbor serve` process (restartable, also
/// after `kill -9`) and edges to it.
final class TreeSite: @unchecked Sendable {
    let name: String
    let place: TestStores.Place
    let prefix: TablePrefix
    let database: String
    let configFile: URL
    private(set) var process: ServeProcess?

    /// Creates the site's tables and clients table rows (the operator's part) and writes its
    /// configuration; `father` names the father's base URL for a son. `sons` are the client ids
    /// of its son sites (added with the son role, issue 11 item 3), `clients` its applications.
    init(
        name: String, backend: TestStores.Backend, sons: [String] = [], clients: [String], father: (url: String, slice: String)?,
        settings extraSettings: [String: Any] = [:]
    ) async throws {
        self.name = name
        place = try TestStores.place(backend)
        prefix = TestStores.randomPrefix()
        database = place.databaseURL
        let store = try await TestStores.open(place, prefix: prefix, siteName: name)
        for son in sons { _ = try await store.addClient(id: son, bit: nil, role: .son) }
        for client in clients { _ = try await store.addClient(id: client, bit: nil) }
        // The application writer of ``appEdge()``: writes need a client (issue 11 item 1).
        if !clients.contains(Self.appClient) { _ = try await store.addClient(id: Self.appClient, bit: nil) }
        await store.close()
        var settings: [String: Any] = ["database": database, "site": name, "tablePrefix": prefix.value]
        settings.merge(extraSettings) { _, extra in extra }
        if let father {
            settings["fatherServers"] = [father.url]
            settings["fatherClientId"] = name
            settings["fatherSlice"] = father.slice
        }
        configFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tree-\(name)-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: settings).write(to: configFile)
    }

    var baseURL: String { process?.baseURL ?? "http://127.0.0.1:1" }

    /// Starts (or restarts) the process; with `keepingPort` a restart listens where the last
    /// process did, so its sons find it again.
    func start(keepingPort: Bool = false) async throws {
        process = try await ServeProcess.start(["--config", configFile.path], port: keepingPort ? process?.port ?? 0 : 0)
    }

    /// SIGKILL: no graceful shutdown at all.
    func kill9() {
        guard let process, process.process.isRunning else { return }
        kill(process.process.processIdentifier, SIGKILL)
        process.process.waitUntilExit()
    }

    /// Stops the process and removes the database.
    func remove() async {
        await process?.stop()
        if let store = try? await TestStores.open(place, prefix: prefix, siteName: name) { await TestStores.remove(store, place) }
        try? FileManager.default.removeItem(at: configFile)
    }

    /// The client id of the application writer every tree site has.
    static let appClient = "app-writer"

    /// An unregistered edge for application writes (client ``appClient``).
    func appEdge() throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: Self.appClient, schema: Fixtures.retailSchema, requestTimeout: .seconds(10)))
    }

    /// A registered edge of client `id` (which must be in this site's clients table).
    func clientEdge(_ id: String) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: id, useRegistration: true, schema: Fixtures.retailSchema, requestTimeout: .seconds(10)))
    }
}
