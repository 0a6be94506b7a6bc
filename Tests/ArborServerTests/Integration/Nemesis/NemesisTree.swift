import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation

/// The real processes of a nemesis run: every site's database, its `arbor serve` processes on
/// fixed loopback ports (so a killed process comes back at the same address) and, per son, TCP
/// relays in front of its father's processes that the harness cuts for a partition.
final class NemesisTree: @unchecked Sendable {
    final class Site: @unchecked Sendable {
        let name: String
        let place: TestStores.Place
        let prefix: TablePrefix
        let configFile: URL
        let ports: [Int]
        var relays: [TCPRelay] = []
        var processes: [ServeProcess?]

        init(name: String, place: TestStores.Place, prefix: TablePrefix, configFile: URL, ports: [Int]) {
            self.name = name
            self.place = place
            self.prefix = prefix
            self.configFile = configFile
            self.ports = ports
            processes = Array(repeating: nil, count: ports.count)
        }

        var urls: [String] { ports.map { "http://127.0.0.1:\($0)" } }
    }

    static let schema = Fixtures.retailSchema
    /// A slice that selects every topic the planner uses (for reading a site whole).
    let everything: String
    let topology: NemesisTopology
    private(set) var sites: [Site] = []

    init(topology: NemesisTopology) {
        self.topology = topology
        everything = topology.topics.joined(separator: "+")
    }

    /// Creates every database (the center on PostgreSQL when configured) and starts every process.
    func start() async throws {
        for (index, description) in topology.sites.enumerated() {
            let backend: TestStores.Backend = index == 0 && TestStores.available.contains(.postgres) ? .postgres : .sqlite
            let place = try TestStores.place(backend)
            let prefix = TestStores.randomPrefix()
            let sons = topology.sites.filter { $0.father == index }.map(\.name)
            let store = try await TestStores.open(place, schema: Self.schema, prefix: prefix, siteName: description.name)
            for client in sons + ["writer", "checker", "follower"] { _ = try await store.addClient(id: client, bit: nil) }
            await store.close()
            let ports = try (0..<description.processes).map { _ in try Self.freePort() }
            var settings: [String: Any] = ["database": place.databaseURL, "site": description.name, "tablePrefix": prefix.value]
            var relays: [TCPRelay] = []
            if let father = description.father, let slice = description.fatherSlice {
                for port in sites[father].ports { relays.append(try await TCPRelay.start(to: port)) }
                settings["fatherServers"] = relays.map { "http://127.0.0.1:\($0.port)" }
                settings["fatherClientId"] = description.name
                settings["fatherSlice"] = slice
            }
            let configFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-nemesis-\(description.name)-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: settings).write(to: configFile)
            let site = Site(name: description.name, place: place, prefix: prefix, configFile: configFile, ports: ports)
            site.relays = relays
            sites.append(site)
            for number in ports.indices { try await startProcess(site: index, number: number) }
        }
    }

    /// Starts (or restarts) one process at its fixed port.
    func startProcess(site: Int, number: Int) async throws {
        let site = sites[site]
        site.processes[number] = try await ServeProcess.start(["--config", site.configFile.path], port: site.ports[number])
    }

    /// SIGKILL, no graceful shutdown.
    func kill9(site: Int, number: Int) {
        guard let process = sites[site].processes[number], process.process.isRunning else { return }
        kill(process.process.processIdentifier, SIGKILL)
        process.process.waitUntilExit()
    }

    /// The application's writer at one process.
    func writer(site: Int, number: Int) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(
            servers: [sites[site].urls[number]], clientId: "writer", schema: Self.schema, requestTimeout: .seconds(10)))
    }

    /// The live entities a site serves, read by a full load at its first live process.
    func liveEntities(site: Int) async throws -> [UUID: NemesisEntity] {
        let edge = try Edge(configuration: EdgeConfiguration(
            servers: sites[site].urls, clientId: "checker", useRegistration: true, schema: Self.schema, requestTimeout: .seconds(20)))
        return NemesisEntity.byId(try await edge.fullLoad(slice: everything).deltas)
    }

    /// Stops every process and relay and removes every database.
    func remove() async {
        for site in sites.reversed() {
            for process in site.processes { await process?.stop() }
            for relay in site.relays { await relay.stop() }
            if let store = try? await TestStores.open(site.place, schema: Self.schema, prefix: site.prefix, siteName: site.name) {
                await TestStores.remove(store, site.place)
            }
            try? FileManager.default.removeItem(at: site.configFile)
        }
    }

    /// The last lines each process printed, for a failure report.
    func logTails(lines: Int = 15) -> String {
        sites.flatMap { site in
            site.processes.enumerated().map { number, process in
                let text = process?.output.split(separator: "\n").suffix(lines).joined(separator: "\n") ?? "(not running)"
                return "--- \(site.name) process \(number):\n\(text)"
            }
        }.joined(separator: "\n")
    }

    /// A loopback port free right now (bound, read, released).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestStoreError("socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw TestStoreError("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
