import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Testing

/// `Deploy/` as written (issue 13 item 5): `install.sh` lays out a center and a branch under
/// temporary roots, `make-certificate.sh` makes their TLS files, the center's admin step writes
/// the son's secret file with `--generate-secret`, and the `ExecStartPre`/`ExecStart` lines of
/// the installed `arbor.service` (center) and `arbor@.service` (two branch processes) run
/// against the example configurations. The center runs on PostgreSQL when
/// `ARBOR_TEST_POSTGRES_URL` is set, else on SQLite.
@Suite(.serialized, .heavy) struct DeployUnitsEndToEndTests {
    @Test(.heavy(timeLimit: .seconds(300)))
    func theUnitsCommandsBringUpACenterAndABranchThatReplicate() async throws {
        let center = try await DeployedSite.install("center")
        var sites = [center]
        var trustingClient: HTTPClient?
        var postgres: (place: TestStores.Place, prefix: TablePrefix)?
        do {
            let branch = try await DeployedSite.install("branch")
            sites.append(branch)

            // Certificates, as the guide's recipe makes them.
            let ca = center.root.appendingPathComponent("ca").path
            for (site, name) in [(center, "center"), (branch, "branch-east")] {
                let made = try await ArborCommand.run(
                    [ca, name, "127.0.0.1", "localhost"], executable: DeployedSite.deployDirectory.appendingPathComponent("make-certificate.sh"),
                    environment: ["PATH": "/usr/bin:/bin"]
                )
                #expect(made.status == 0, "make-certificate.sh: \(made)")
                for (from, to) in [("\(name).pem", "server.pem"), ("\(name).key", "server.key"), ("ca.pem", "ca.pem")] {
                    try FileManager.default.copyItem(atPath: "\(ca)/\(from)", toPath: site.path("/etc/arbor/tls/\(to)"))
                }
            }
            let caFile = "\(ca)/ca.pem"
            let trusting = try TLSSite.httpClient(trusting: caFile)
            trustingClient = trusting

            // The center: its database (PostgreSQL with a table prefix of its own in the shared
            // test database, or SQLite), its address; the rest as in Deploy/center.json.
            let centerPort = try NemesisTree.freePort()
            var centerChanges: [String: Any] = ["host": "127.0.0.1", "port": centerPort, "advertisedURL": "https://127.0.0.1:\(centerPort)"]
            if TestDatabases.postgresURL != nil {
                let place = try TestStores.place(.postgres), prefix = TestStores.randomPrefix()
                postgres = (place, prefix)
                // As Deploy/center.json: the URL names no password; site.env's PGPASSWORD holds it.
                guard case .postgres(let server) = place.location else { throw TestStoreError("not a PostgreSQL place") }
                centerChanges["database"] = "postgres://\(server.username)@\(server.host):\(server.port)/\(server.database)"
                try center.setEnvironment("PGPASSWORD", server.password ?? "")
                centerChanges["tablePrefix"] = prefix.value
            } else {
                centerChanges["database"] = "sqlite:" + center.path("/var/lib/arbor/center.sqlite")
            }
            try center.configure(centerChanges)
            let centerInit = try center.commands("ExecStartPre", unit: "arbor.service")
            #expect(centerInit.count == 1 && centerInit.first?.contains("init") == true, "\(centerInit)")
            let firstInit = try await center.run(try #require(centerInit.first))
            #expect(firstInit.status == 0 && firstInit.output.contains("schema 'retail-v1'"), "first init: \(firstInit)")
            // A restart runs it again on the existing database: nothing changes.
            let secondInit = try await center.run(try #require(centerInit.first))
            #expect(secondInit.status == 0, "init on an existing database: \(secondInit)")
            #expect(Self.incarnation(firstInit.output) != nil && Self.incarnation(firstInit.output) == Self.incarnation(secondInit.output))

            // The center's step: the son with a secret, written straight into the branch's file.
            let son = try await center.arbor(["clients", "add", "branch-east", "--role", "son", "--generate-secret"])
            #expect(son.status == 0, "\(son)")
            try Data(son.output.utf8).write(to: URL(fileURLWithPath: branch.path("/etc/arbor/father.secret")))
            let till = try await center.arbor(["clients", "add", "till", "--generate-secret"])
            #expect(till.status == 0, "\(till)")
            let tillSecret = till.output.trimmingCharacters(in: .whitespacesAndNewlines)

            try await center.start(unit: "arbor.service")
            let centerURL = "https://127.0.0.1:\(centerPort)"
            #expect(try await DeployedSite.waitUntilUp(centerURL, caFile: caFile, client: trusting), "center: \(center.processes.first?.output ?? "")")

            // The branch: two processes of arbor@.service, announcing advertisedHost:their port.
            let ports = [try NemesisTree.freePort(), try NemesisTree.freePort()]
            try branch.configure(["host": "127.0.0.1", "advertisedHost": "127.0.0.1", "fatherServers": [centerURL]])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for port in ports { group.addTask { try await branch.start(unit: "arbor@.service", instance: String(port)) } }
                try await group.waitForAll()
            }
            for port in ports {
                #expect(
                    try await DeployedSite.waitUntilUp("https://127.0.0.1:\(port)", caFile: caFile, client: trusting),
                    "branch process \(port): \(branch.processes.map(\.output).joined(separator: "\n---\n").suffix(3_000))"
                )
            }
            let checker = try await branch.arbor(["clients", "add", "checker"])
            #expect(checker.status == 0, "\(checker)")

            // Down: a write at the center reaches the branch.
            let down = UUID()
            let writer = try DeployedSite.edge(centerURL, clientId: "till", secret: tillSecret, caFile: caFile, client: trusting)
            _ = try await writer.append([Self.customer(down, "written at the center")])
            let atBranch = try DeployedSite.edge("https://127.0.0.1:\(ports[0])", clientId: "checker", caFile: caFile, client: trusting)
            #expect(
                try await Self.eventually { try await atBranch.fullLoad(slice: "east").deltas.contains { $0.techId == down } },
                "the center's write did not reach the branch: \(branch.processes.map(\.output).joined(separator: "\n---\n").suffix(3_000))"
            )
            // Up: a write at the branch reaches the center.
            let up = UUID()
            _ = try await atBranch.append([Self.customer(up, "written at the branch")])
            let reader = try DeployedSite.edge(centerURL, clientId: "till", secret: tillSecret, caFile: caFile, client: trusting)
            #expect(try await Self.eventually { try await reader.fullLoad(slice: "east").deltas.contains { $0.techId == up } }, "the branch's write did not reach the center")

            // Each process announces its own URL; one is the master.
            var listed: [String: Any] = [:]
            _ = try await Self.eventually {
                let servers = try await branch.arbor(["servers", "--json"])
                listed = (try? JSONSerialization.jsonObject(with: Data(servers.output.utf8)) as? [String: Any]) ?? [:]
                return servers.status == 0 && listed["live"] as? Int == 2
            }
            let urls = Set(((listed["servers"] as? [[String: Any]]) ?? []).compactMap { $0["url"] as? String })
            #expect(urls == Set(ports.map { "https://127.0.0.1:\($0)" }), "arbor servers --json: \(listed)")
            #expect(listed["liveMasters"] as? Int == 1, "\(listed)")
        } catch {
            Issue.record("deployment failed: \(error)")
        }
        for site in sites.reversed() { await site.stopAndRemove() }
        try? await trustingClient?.shutdown()
        if let postgres, let store = try? await TestStores.open(postgres.place, prefix: postgres.prefix) { await TestStores.remove(store, postgres.place) }
    }

    static func customer(_ id: UUID, _ name: String) throws -> EntityWrite {
        EntityWrite(
            .create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: ",east,"),
            fields: ["name": .text(name), "vip": .bool(false)]
        )
    }

    /// The incarnation `arbor init` printed.
    static func incarnation(_ output: String) -> String? {
        output.range(of: "incarnation ").map { String(output[$0.upperBound...].prefix(36)) }
    }

    /// True once `check` is true, within 60 s (errors count as not yet).
    static func eventually(_ check: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await check()) == true { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}
