import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Testing

/// Issue 10 item 11 with real `arbor serve` processes: a branch that loaded after an entity was
/// logically deleted at the center compares equal (deleted entities are left out at both
/// sites); rows of the branch's SQLite file corrupted directly are reported by `arbor verify`,
/// `arbor verify --repair` replaces exactly those from the father, and a second verify is clean.
@Suite(.serialized, .heavy) struct VerifyRepairTests {
    @Test(.heavy(timeLimit: .seconds(180)))
    func verifyReportsCorruptedRowsAndRepairFixesExactlyThose() async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["branch"], clients: ["checker"], father: nil)
        var branch: TreeSite?
        do {
            try await center.start()
            let ids = (1...4).map { _ in UUID() }
            let deleted = UUID()
            let writer = try center.appEdge()
            for (index, id) in ids.enumerated() {
                _ = try await writer.append([Self.customer(id, name: "customer \(index)")])
            }
            _ = try await writer.append([Self.customer(deleted, name: "deleted before the branch loads")])
            _ = try await writer.append([EntityWrite(.delete, entityClass: "Customer", techId: deleted)])

            let site = try await TreeSite(name: "branch", backend: .sqlite, clients: ["checker"], father: (center.baseURL, "branch"))
            branch = site
            try await site.start()
            let verify = { (extra: [String]) in
                try await ArborCommand.run(["verify", "--site", site.baseURL, "--against", center.baseURL, "--slice", "branch", "--client-id", "checker"] + extra)
            }
            // The branch loaded live entities only: the center's deleted one is no difference.
            try await eventually("the branch loaded and compares equal", timeout: .seconds(30)) {
                let run = try await verify([])
                return run.status == 0 && run.output.contains("equal: 4 entities match")
            }

            // Corrupt the branch's file at rest: a changed value, a lost row, a row the father never had.
            await site.process?.stop()
            let path = try #require(site.place.sqlitePath)
            let table = site.prefix.table("e_customer")
            let extra = UUID()
            try Self.sqlite(path, """
                UPDATE \(table) SET f_name = 'corrupted' WHERE tech_id = '\(ids[0].uuidString)';
                DELETE FROM \(table) WHERE tech_id = '\(ids[1].uuidString)';
                CREATE TEMP TABLE copy AS SELECT * FROM \(table) WHERE tech_id = '\(ids[2].uuidString)';
                UPDATE copy SET tech_id = '\(extra.uuidString)';
                INSERT INTO \(table) SELECT * FROM copy;
                """)
            try await site.start()

            let found = try await verify([])
            #expect(found.status == 1, "\(found.output)\(found.errors)")
            #expect(found.output.contains("Customer \(ids[0].uuidString) differs"), "\(found.output)")
            #expect(found.output.contains("Customer \(ids[1].uuidString) only at B"), "\(found.output)")
            #expect(found.output.contains("Customer \(extra.uuidString) only at A"), "\(found.output)")
            #expect(found.output.contains("different: 1 differ, 1 only at A, 1 only at B, 2 match"), "\(found.output)")

            let repaired = try await verify(["--repair", "--son-db", site.database, "--son-prefix", site.prefix.value, "--son-name", "branch"])
            #expect(repaired.status == 0, "\(repaired.output)\(repaired.errors)")
            #expect(repaired.output.contains("repaired: 2 replaced, 1 removed"), "\(repaired.output)")
            #expect(repaired.output.contains("Customer \(ids[0].uuidString) replaced by B's copy"), "\(repaired.output)")
            #expect(repaired.output.contains("Customer \(ids[1].uuidString) replaced by B's copy"), "\(repaired.output)")
            #expect(repaired.output.contains("Customer \(extra.uuidString) removed at A"), "\(repaired.output)")
            #expect(!repaired.output.contains(ids[3].uuidString), "an entity that did not differ is left alone: \(repaired.output)")

            let clean = try await verify([])
            #expect(clean.status == 0, "\(clean.output)\(clean.errors)")
            #expect(clean.output.contains("equal: 4 entities match"), "\(clean.output)")
            // The branch's edges see the repaired value.
            let reader = try Edge(configuration: EdgeConfiguration(servers: [site.baseURL], clientId: "checker", schema: Fixtures.retailSchema))
            let names = try await reader.fullLoad(slice: "branch").deltas.filter { $0.key.techId == ids[0] }.compactMap { $0.fields["name"]?.value }
            #expect(names == [.text("customer 0")])

            let missingDatabase = try await verify(["--repair"])
            #expect(missingDatabase.status != 0 && missingDatabase.errors.contains("--son-db"), "\(missingDatabase.errors)")
        } catch {
            await branch?.remove()
            await center.remove()
            throw error
        }
        await branch?.remove()
        await center.remove()
    }

    static func customer(_ id: UUID, name: String) -> EntityWrite {
        EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: try! TopicsList(parsing: ",branch,"),
                    fields: ["name": .text(name), "vip": .bool(false)])
    }

    /// Runs SQL on the SQLite file at `path` with the `sqlite3` tool (the test corrupts rows
    /// behind Arbor's back, as a disk or an operator might).
    static func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", path, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 failed on \(path)")
    }
}
