import ArborCore
import ArborServer
import ArborTesting
import Foundation
import Testing

/// The status report of real `arbor serve` processes on loopback (center ← east ← leaf, all
/// SQLite): it shows what really happens — a son connected and following, then stopped (not
/// connected, behind by what was written meanwhile), then back — and `arbor status --json` and
/// `arbor tree` print it, the tree including the grandson east reports.
@Suite(.serialized, .heavy) struct StatusEndToEndTests {
    @Test func statusRefusesAPageAddressAndSaysNothingListens() async throws {
        // What an operator pastes from the browser's address bar.
        let run = try await ArborCommand.run(["status", "--url", "http://127.0.0.1:18080/arbor/1/status"], terminateAfter: .seconds(60))
        #expect(run.status == 64 && run.errors.contains("use --url http://127.0.0.1:18080 "), "\(run)")
        let nobody = try await ArborCommand.run(["status", "--url", "http://127.0.0.1:1"], terminateAfter: .seconds(60))
        #expect(nobody.status == 1 && nobody.errors.contains("did not answer: nothing listens at 127.0.0.1:1 (connection refused)"), "\(nobody)")
    }

    @Test(.heavy(timeLimit: .seconds(240)))
    func theReportFollowsASonThatStopsAndReturns() async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["east"], clients: ["watcher"], father: nil, settings: ["sonTimeoutSeconds": 3])
        var sites = [center]
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, sons: ["leaf"], clients: [], father: (center.baseURL, "east"))
            sites.append(east)
            try await east.start()
            let leaf = try await TreeSite(name: "leaf", backend: .sqlite, clients: [], father: (east.baseURL, "east"))
            sites.append(leaf)
            try await leaf.start()

            // Connected and following, seen from both ends; the grandson is in the center's tree.
            try await eventually("east connected at the center with lag 0 and a report with leaf in it") {
                let report = try await StatusFetch.report(center)
                guard let son = report.sons.first(where: { $0.clientId == "east" }) else { return false }
                return son.connected && son.lagSequences == 0 && son.uploadBacklog == 0
                    && report.tree.sons.first?.sons.first?.site == "leaf" && report.tree.sons.first?.sons.first?.connected == true
            }
            try await eventually("east sees its father connected with the father's lag figures") {
                let father = try await StatusFetch.report(east).father
                return father?.connected == true && father?.linkRunsHere == true && father?.lagSequences == 0 && father?.lagSeconds == 0
            }
            let report = try await StatusFetch.report(center)
            #expect(report.site == "center" && report.father == nil && report.isMaster)
            #expect(Set(report.clients.map(\.clientId)) == ["east", "watcher", TreeSite.appClient])
            #expect(report.clients.first { $0.clientId == "east" }.map { $0.role == "son" && $0.enabled && !$0.hasSecret && $0.lastSeenSecondsAgo != nil } == true)
            #expect(report.clients.first { $0.clientId == "watcher" }?.lastSeenSecondsAgo == nil)
            let fetching = try #require(report.connectedClients.first { $0.clientId == "east" })
            #expect(fetching.registered && fetching.slice.hasPrefix("(east)") && fetching.role == "son")
            #expect(report.servers.count == 1 && report.servers.first?.isMaster == true)

            // East stops; the center writes 3 transactions for it.
            await east.process?.stop()
            try await eventually("east's last fetch ended at the center") {
                try await StatusFetch.report(center).connectedClients.first { $0.clientId == "east" }?.openFetches == 0
            }
            let writer = try center.appEdge()
            for number in 0..<3 {
                let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: ",east,"),
                                        fields: ["name": .text("while away \(number)"), "vip": .bool(false)])
                _ = try await writer.append([write])
            }
            try await eventually("east not connected and 3 sequences behind at the center", timeout: .seconds(60)) {
                let son = try await StatusFetch.report(center).sons.first { $0.clientId == "east" }
                return son?.connected == false && son?.lagSequences == 3 && (son?.lagSeconds ?? 0) > 0
            }
            let leafReport = try await StatusFetch.report(leaf)
            #expect(leafReport.father?.connected == false, "\(String(describing: leafReport.father))")

            // East returns and catches up.
            try await east.start(keepingPort: true)
            try await eventually("east connected again with lag 0", timeout: .seconds(90)) {
                let son = try await StatusFetch.report(center).sons.first { $0.clientId == "east" }
                return son?.connected == true && son?.lagSequences == 0
            }

            // The terminal commands print the same.
            let json = try await ArborCommand.run(["status", "--json", "--url", center.baseURL], terminateAfter: .seconds(60))
            #expect(json.status == 0, "\(json)")
            let printed = try JSONDecoder().decode(SiteStatusReport.self, from: Data(json.output.utf8))
            #expect(printed.site == "center" && printed.sons.first { $0.clientId == "east" }?.connected == true)
            try await eventually("arbor status at east shows its father connected and east caught up") {
                let text = try await ArborCommand.run(["status", "--url", east.baseURL], terminateAfter: .seconds(60))
                return text.status == 0 && text.output.contains("site east") && text.output.contains("as 'east': connected") && text.output.contains("lag 0 sequences")
            }
            try await eventually("arbor tree shows center, east and leaf connected") {
                let tree = try await ArborCommand.run(["tree", "--url", center.baseURL], terminateAfter: .seconds(60))
                let lines = tree.output.split(separator: "\n").map(String.init)
                return tree.status == 0 && lines.first?.hasPrefix("center") == true
                    && lines.contains { $0.hasPrefix("└─ east  connected") } && lines.contains { $0.hasPrefix("   └─ leaf  connected") }
            }
            let refused = try await ArborCommand.run(["status", "--url", "http://127.0.0.1:1"], terminateAfter: .seconds(60))
            #expect(refused.status != 0 && refused.errors.contains("did not answer"), "\(refused)")
        } catch {
            for site in sites { print("\(site.name) log:\n\(site.process?.output.suffix(3_000) ?? "")") }
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }
}
