import ArborCore
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `arbor servers`: a stopped process is never shown as the master, `--json` for scripts, and
/// a non-zero exit when the site has no live master.
@Suite(.heavy) struct ServersCommandTests {
    private struct Report: Decodable {
        struct Entry: Decodable {
            var url: String
            var edges: Int
            var isMaster: Bool
            var isLive: Bool
            var lastSeenSecondsAgo: Double
        }

        var servers: [Entry]
        var live: Int
        var total: Int
        var liveMasters: Int
    }

    private static let stopped = "http://127.0.0.1:9001", live = "http://127.0.0.1:9002"

    /// A store where a killed master still has its last announcement (a minute old).
    private func withKilledMaster(_ body: (any SiteStore, TestStores.Place) async throws -> Void) async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        let now = EntitiesSubsystem.systemMicroseconds()
        try await store.announceServer(SiteServerLoad(url: Self.stopped, edges: 3, isMaster: true, seenMicroseconds: now - 60_000_000))
        do { try await body(store, place) } catch {
            await TestStores.remove(store, place)
            throw error
        }
        await TestStores.remove(store, place)
    }

    @Test func aStoppedMasterIsNotShownAsMasterAndNoLiveMasterExitsNonZero() async throws {
        try await withKilledMaster { store, place in
            let arguments = ArborCommand.storeArguments(place, prefix: store.prefix)
            let table = try await ArborCommand.run(["servers"] + arguments)
            #expect(table.status == 1, "\(table)")
            #expect(table.errors.contains("no live master"), "\(table)")
            let row = table.output.split(separator: "\n").first { $0.hasPrefix(Self.stopped) }.map(String.init) ?? ""
            #expect(row.contains("no (stopped)") && !row.contains("yes"), "\(table)")
            #expect(table.output.contains("0 live of 1; 0 live masters"), "\(table)")

            let json = try await ArborCommand.run(["servers", "--json"] + arguments)
            #expect(json.status == 1, "\(json)")
            let report = try JSONDecoder().decode(Report.self, from: Data(json.output.utf8))
            #expect(report.liveMasters == 0 && report.live == 0 && report.total == 1)
            #expect(report.servers.first?.isMaster == false && report.servers.first?.isLive == false)
        }
    }

    @Test func aNewLiveMasterBesideAKilledOneExitsZero() async throws {
        try await withKilledMaster { store, place in
            // Seen in the future: live however slowly the command starts on a loaded machine.
            try await store.announceServer(SiteServerLoad(url: Self.live, edges: 1, isMaster: true, seenMicroseconds: EntitiesSubsystem.systemMicroseconds() + 600_000_000))
            let arguments = ArborCommand.storeArguments(place, prefix: store.prefix)
            let json = try await ArborCommand.run(["servers", "--json"] + arguments)
            #expect(json.status == 0, "\(json)")
            let report = try JSONDecoder().decode(Report.self, from: Data(json.output.utf8))
            #expect(report.total == 2 && report.live == 1 && report.liveMasters == 1, "\(json)")
            let byURL = Dictionary(uniqueKeysWithValues: report.servers.map { ($0.url, $0) })
            #expect(byURL[Self.live]?.isMaster == true && byURL[Self.live]?.isLive == true && byURL[Self.live]?.edges == 1)
            #expect(byURL[Self.stopped]?.isMaster == false && byURL[Self.stopped]?.isLive == false)
            #expect((byURL[Self.stopped]?.lastSeenSecondsAgo ?? 0) >= 59)

            let table = try await ArborCommand.run(["servers"] + arguments)
            #expect(table.status == 0 && table.output.contains("1 live of 2; one master"), "\(table)")
        }
    }
}
