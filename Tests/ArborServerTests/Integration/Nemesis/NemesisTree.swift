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
        /// The clients table rows an operator gives the site (again after a rebuild): each id
        /// with its role (its son sites are sons, issue 11 item 3).
        let clients: [(id: String, role: ClientRole)]
        var settings: [String: Any]
        var relays: [TCPRelay] = []
        var processes: [ServeProcess?]
        /// Where `arbor backup` last copied the database.
        var backupFile: URL?
        /// The schema the site runs: ``NemesisTree/schema`` until upgraded to ``NemesisTree/upgradedSchema``.
        var schema = NemesisTree.schema
        /// The file of ``schema`` once upgraded (the embedded example schema before).
        var schemaFile: URL?
        /// Every log file its processes wrote, per process number, oldest first (a killed or
        /// restarted process leaves its log for the failure report).
        var logFiles: [[URL]]

        init(name: String, place: TestStores.Place, prefix: TablePrefix, configFile: URL, ports: [Int], clients: [(id: String, role: ClientRole)], settings: [String: Any]) {
            self.name = name
            self.place = place
            self.prefix = prefix
            self.configFile = configFile
            self.ports = ports
            self.clients = clients
            self.settings = settings
            processes = Array(repeating: nil, count: ports.count)
            logFiles = Array(repeating: [], count: ports.count)
        }

        var storeArguments: [String] {
            ["--db", place.databaseURL, "--prefix", prefix.value, "--site", name] + (schemaFile.map { ["--schema", $0.path] } ?? [])
        }

        func writeSettings() throws {
            try JSONSerialization.data(withJSONObject: settings).write(to: configFile)
        }

        var urls: [String] { ports.map { "http://127.0.0.1:\($0)" } }
    }

    static let schema = Fixtures.retailSchema
    /// The additive successor the run upgrades every site to, one at a time.
    static let upgradedSchema = Fixtures.retailSchemaV2
    /// Where ``upgradedSchema`` is written for `arbor schema apply` and `schemaFile`.
    let upgradedSchemaFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-nemesis-schema-\(UUID().uuidString).json")
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
            let sons = topology.sites.filter { $0.father == index }.map { (id: $0.name, role: ClientRole.son) }
            let clients = sons + ["writer", "checker", "follower"].map { (id: $0, role: ClientRole.application) }
            let store = try await TestStores.open(place, schema: Self.schema, prefix: prefix, siteName: description.name)
            for client in clients { _ = try await store.addClient(id: client.id, bit: nil, role: client.role) }
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
            let site = Site(name: description.name, place: place, prefix: prefix, configFile: configFile, ports: ports, clients: clients, settings: settings)
            try site.writeSettings()
            site.relays = relays
            sites.append(site)
            for number in ports.indices { try await startProcess(site: index, number: number) }
        }
    }

    /// Starts (or restarts) one process at its fixed port.
    func startProcess(site: Int, number: Int) async throws {
        let site = sites[site]
        let process = try await ServeProcess.start(["--config", site.configFile.path], port: site.ports[number])
        site.processes[number] = process
        site.logFiles[number].append(process.logFile)
    }

    /// SIGKILL, no graceful shutdown.
    func kill9(site: Int, number: Int) {
        guard let process = sites[site].processes[number], process.process.isRunning else { return }
        kill(process.process.processIdentifier, SIGKILL)
        process.process.waitUntilExit()
    }

    /// Stops every process of a site gracefully.
    func stopSite(_ index: Int) async {
        for process in sites[index].processes { await process?.stop() }
    }

    /// Restarts every process of a son with a new father slice.
    func changeSlice(site index: Int, to slice: String) async throws {
        await stopSite(index)
        sites[index].settings["fatherSlice"] = slice
        try sites[index].writeSettings()
        for number in sites[index].ports.indices { try await startProcess(site: index, number: number) }
    }

    /// Stops every process of the site, applies the upgraded schema as an operator does
    /// (`arbor schema apply`), configures it and starts the processes again.
    func upgradeSchema(site index: Int) async throws {
        let site = sites[index]
        if !FileManager.default.fileExists(atPath: upgradedSchemaFile.path) { try Self.upgradedSchema.encodeJSON().write(to: upgradedSchemaFile) }
        await stopSite(index)
        site.schemaFile = upgradedSchemaFile
        site.schema = Self.upgradedSchema
        try await applySchema(site)
        site.settings["schemaFile"] = upgradedSchemaFile.path
        try site.writeSettings()
        for number in site.ports.indices { try await startProcess(site: index, number: number) }
    }

    /// `arbor schema apply` of the site's schema to its stopped database.
    private func applySchema(_ site: Site) async throws {
        let applied = try await ArborCommand.run(["schema", "apply"] + site.storeArguments)
        guard applied.status == 0 else { throw TestStoreError("arbor schema apply at \(site.name) failed: \(applied)") }
    }

    /// `arbor backup` of the serving SQLite site.
    func backup(site index: Int) async throws {
        let site = sites[index]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-nemesis-backup-\(site.name)-\(UUID().uuidString).sqlite")
        let run = try await ArborCommand.run(["backup"] + site.storeArguments + [file.path])
        guard run.status == 0 else { throw TestStoreError("arbor backup of \(site.name) failed: \(run)") }
        if let old = site.backupFile { try? FileManager.default.removeItem(at: old) }
        site.backupFile = file
    }

    /// Stops the site, puts its last backup in place of its database and starts it again.
    func restore(site index: Int) async throws {
        let site = sites[index]
        guard let backup = site.backupFile, let path = site.place.sqlitePath else { throw TestStoreError("\(site.name) has no backup") }
        await stopSite(index)
        Self.removeSQLite(path)
        try FileManager.default.copyItem(at: backup, to: URL(fileURLWithPath: path))
        // A backup from before the site's upgrade is upgraded again, as the operator would.
        if site.schemaFile != nil { try await applySchema(site) }
        for number in site.ports.indices { try await startProcess(site: index, number: number) }
    }

    /// Stops the site, deletes its database, makes a new one as an operator does (`arbor init`,
    /// `arbor clients add`) and starts it again.
    func rebuild(site index: Int) async throws {
        let site = sites[index]
        guard let path = site.place.sqlitePath else { throw TestStoreError("\(site.name) is not on SQLite") }
        await stopSite(index)
        Self.removeSQLite(path)
        site.backupFile = nil
        let initialized = try await ArborCommand.run(["init"] + site.storeArguments)
        guard initialized.status == 0 else { throw TestStoreError("arbor init of \(site.name) failed: \(initialized)") }
        for client in site.clients {
            let added = try await ArborCommand.run(["clients", "add", client.id, "--role", client.role.rawValue] + site.storeArguments)
            guard added.status == 0 else { throw TestStoreError("arbor clients add \(client.id) --role \(client.role) at \(site.name) failed: \(added)") }
        }
        for number in site.ports.indices { try await startProcess(site: index, number: number) }
    }

    private static func removeSQLite(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The application's writer at one process.
    func writer(site: Int, number: Int) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(
            servers: [sites[site].urls[number]], clientId: "writer", schema: sites[site].schema, requestTimeout: .seconds(10)))
    }

    /// The live entities a site serves, read by a full load at its first live process.
    func liveEntities(site: Int) async throws -> [UUID: NemesisEntity] {
        let edge = try Edge(configuration: EdgeConfiguration(
            servers: sites[site].urls, clientId: "checker", useRegistration: true, schema: sites[site].schema, requestTimeout: .seconds(20)))
        return NemesisEntity.byId(try await edge.fullLoad(slice: everything).deltas)
    }

    /// Stops every process and relay and removes every database — unless
    /// `ARBOR_NEMESIS_KEEP_DATABASES` is set, for reading a failed run's databases afterwards.
    func remove() async {
        let keep = ProcessInfo.processInfo.environment["ARBOR_NEMESIS_KEEP_DATABASES"] != nil
        for site in sites.reversed() {
            for process in site.processes { await process?.stop() }
            for relay in site.relays { await relay.stop() }
            if keep {
                print("nemesis: kept \(site.name)'s database \(site.place.databaseURL) (table prefix \(site.prefix.value))")
                continue
            }
            if let store = try? await TestStores.open(site.place, schema: site.schema, prefix: site.prefix, siteName: site.name) {
                await TestStores.remove(store, site.place)
            }
            try? FileManager.default.removeItem(at: site.configFile)
            if let backup = site.backupFile { try? FileManager.default.removeItem(at: backup) }
        }
        if !keep { try? FileManager.default.removeItem(at: upgradedSchemaFile) }
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

    /// Copies every process's whole log (each start of it) into `directory`, named
    /// `<site>-p<number>-<start>.log`, so a failing run can be read after the fact.
    func keepLogs(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for site in sites {
            for (number, files) in site.logFiles.enumerated() {
                for (start, file) in files.enumerated() {
                    let target = directory.appendingPathComponent("\(site.name)-p\(number)-\(start).log")
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: file, to: target)
                }
            }
        }
    }

    /// Removes the log files of every process (a run that passed).
    func removeLogs() {
        for site in sites {
            for file in site.logFiles.joined() { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        }
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
