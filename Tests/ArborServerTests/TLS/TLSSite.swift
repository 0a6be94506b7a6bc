import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation

/// A site for the TLS tests: an SQLite database with clients, a JSON configuration and a real
/// `arbor serve` process, over HTTPS when the settings name a certificate and key.
final class TLSSite: @unchecked Sendable {
    let name: String
    let place: TestStores.Place
    let prefix: TablePrefix
    let configFile: URL
    let process: ServeProcess

    var baseURL: String { process.baseURL }

    private init(name: String, place: TestStores.Place, prefix: TablePrefix, configFile: URL, process: ServeProcess) {
        self.name = name
        self.place = place
        self.prefix = prefix
        self.configFile = configFile
        self.process = process
    }

    /// Creates the tables and `clients`, writes `settings` (plus database, site and prefix) and
    /// starts the process; TLS when `settings` holds `tlsCertificateFile`.
    static func start(name: String, sons: [String] = [], clients: [String], settings: [String: Any]) async throws -> TLSSite {
        let place = try TestStores.place(.sqlite)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix, siteName: name)
        // Plus the application writer (writes need a client, issue 11).
        for son in sons { _ = try await store.addClient(id: son, bit: nil, role: .son) }
        for client in clients + [TreeSite.appClient] { _ = try await store.addClient(id: client, bit: nil) }
        await store.close()
        var all = settings
        all["database"] = place.databaseURL
        all["site"] = name
        all["tablePrefix"] = prefix.value
        let configFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-tls-\(name)-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: all).write(to: configFile)
        do {
            let process = try await ServeProcess.start(["--config", configFile.path], tls: settings["tlsCertificateFile"] != nil)
            return TLSSite(name: name, place: place, prefix: prefix, configFile: configFile, process: process)
        } catch {
            try? FileManager.default.removeItem(at: configFile)
            if let path = place.sqlitePath { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    /// Stops the process and removes the database and configuration.
    func remove() async {
        await process.stop()
        if let store = try? await TestStores.open(place, prefix: prefix, siteName: name) { await TestStores.remove(store, place) }
        try? FileManager.default.removeItem(at: configFile)
    }

    /// An edge to this site (at `url`, default its own) trusting `caFile` (system roots when nil),
    /// sending through `client`.
    func edge(
        clientId: String? = nil, caFile: String?, client: HTTPClient, url: String? = nil, requestTimeout: Duration = .seconds(20)
    ) throws -> Edge {
        let configuration = try EdgeConfiguration(
            servers: [url ?? baseURL], clientId: clientId, useRegistration: clientId != nil, schema: Fixtures.retailSchema,
            requestTimeout: requestTimeout, fetchWait: .seconds(2), retryBackoff: .zero, trustRootsFile: caFile
        )
        return Edge(configuration: configuration, httpClient: client)
    }

    /// A fail-over HTTP client trusting `caFile` (system roots when nil); the caller shuts it down.
    static func httpClient(trusting caFile: String?) throws -> HTTPClient {
        let trustRoots = try caFile.map { try EdgeTrustRoots.load(file: $0) }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: trustRoots))
    }
}
