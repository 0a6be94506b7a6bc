import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 13 item 6 with real `arbor serve` processes: a son disabled and enabled again at its
/// father reconnects within seconds, logging the disabling as a warning that says what to do
/// (no "fix the configuration" error); SIGHUP makes a link that waits after a refusal retry now.
@Suite(.serialized, .heavy) struct LinkRecoveryEndToEndTests {
    @Test(.heavy(timeLimit: .seconds(300)))
    func aReEnabledSonReconnectsWithinSeconds() async throws {
        try await Self.withTree { center, east in
            let connected = ["site": "east"]
            try await Self.waitFor("east connected", at: east) { $0.value("arbor_father_link_connected", connected) == 1 }
            let disable = try await ArborCommand.clients(["disable", "east"], at: center.place, prefix: center.prefix)
            #expect(disable.status == 0, "\(disable)")
            try await Self.waitFor("east disconnected once disabled", at: east) { $0.value("arbor_father_link_connected", connected) == 0 }
            // Disabled for a while: more than one retry is refused.
            try await Task.sleep(for: .seconds(5))
            // The son's status page says why its link is down (it listed no error before).
            let report = try JSONDecoder().decode(SiteStatusReport.self, from: try await StatusFetch.get(east.baseURL).body)
            #expect(report.recentErrors.contains { $0.code == "ClientDisabled" && $0.source.hasPrefix("father link") }, "\(report.recentErrors)")
            let enable = try await ArborCommand.clients(["enable", "east"], at: center.place, prefix: center.prefix)
            #expect(enable.status == 0, "\(enable)")
            let enabled = ContinuousClock.now
            try await Self.waitFor("east connected again", at: east) { $0.value("arbor_father_link_connected", connected) == 1 }
            let reconnect = ContinuousClock.now - enabled
            print("LinkRecoveryEndToEndTests: east reconnected \(reconnect) after `arbor clients enable`")
            #expect(reconnect < .seconds(20), "reconnected only after \(reconnect)")
            let log = east.process?.output ?? ""
            let notices = log.split(separator: "\n").filter { $0.contains("the father disabled this site's client 'east'") }
            #expect(notices.count == 1, "one warning for the episode, not one per retry: \(log.suffix(4_000))")
            #expect(notices.allSatisfy { $0.contains("warning") && $0.contains("arbor clients enable east") }, "\(notices)")
            #expect(!log.contains("fix the configuration"), "\(log.suffix(4_000))")
            #expect(!log.contains(" error "), "nothing was misconfigured: \(log.suffix(4_000))")
        }
    }

    @Test(.heavy(timeLimit: .seconds(300)))
    func sighupMakesARefusedLinkRetryNow() async throws {
        try await Self.withTree { center, east in
            let connected = ["site": "east"]
            try await Self.waitFor("east connected", at: east) { $0.value("arbor_father_link_connected", connected) == 1 }
            // The son's client removed at the father: a refusal an operator must fix, retried every 30 s.
            let remove = try await ArborCommand.clients(["remove", "east"], at: center.place, prefix: center.prefix)
            #expect(remove.status == 0, "\(remove)")
            try await Self.waitFor("east refused", at: east) { _ in east.process?.output.contains("the father refuses this site's") == true }
            let refused = ContinuousClock.now
            let add = try await ArborCommand.clients(["add", "east", "--role", "son"], at: center.place, prefix: center.prefix)
            #expect(add.status == 0, "\(add)")
            // Give the father time to read its clients table (it polls every 250 ms).
            try await Task.sleep(for: .seconds(1))
            let process = try #require(east.process)
            kill(process.process.processIdentifier, SIGHUP)
            try await Self.waitFor("east connected again", at: east) { $0.value("arbor_father_link_connected", connected) == 1 }
            let reconnect = ContinuousClock.now - refused
            print("LinkRecoveryEndToEndTests: east reconnected \(reconnect) after the refusal, with SIGHUP (the refused retry waits 30 s)")
            #expect(reconnect < .seconds(25), "the link waited for its 30 s retry: \(reconnect)")
            #expect(process.process.isRunning, "SIGHUP ended the process")
            #expect(process.output.contains("father link: retrying now, as asked"), "\(process.output.suffix(3_000))")
        }
    }

    // MARK: Support

    /// Runs `body` with a center and its son `east` served by real processes (SQLite); always
    /// stops and removes both.
    static func withTree(_ body: (TreeSite, TreeSite) async throws -> Void) async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["east"], clients: [], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, clients: [], father: (center.baseURL, "A"))
            sites.append(east)
            try await east.start()
            try await body(center, east)
        } catch {
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }

    /// Scrapes `site`'s /metrics until `condition` holds (60 s at most, a wide bound).
    static func waitFor(_ what: String, at site: TreeSite, _ condition: (MetricsScrape) -> Bool) async throws {
        try await eventually(what, timeout: .seconds(60)) {
            guard let scrape = try? await MetricsScrape.scrape(site.baseURL) else { return false }
            return condition(scrape)
        }
    }
}
