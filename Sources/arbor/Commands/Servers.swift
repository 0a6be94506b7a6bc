import ArborCore
import ArborStore
import ArgumentParser
import Foundation

/// `arbor servers`: the server processes of a site as they announce themselves (§8.1).
struct Servers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the server processes of a site: URL, edges served, master role, last announcement.",
        discussion: """
            Every `arbor serve` process of a site announces itself in the site's database each second. \
            A process silent for more than 5 s has stopped (or lost its database) and gets no edges \
            from load balancing; exactly one live process should be the master.
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Print the list as JSON (one object: servers, live, total, liveMasters) for scripts and monitoring.")
    var json = false

    func run() async throws {
        let servers = try await Clients.withStore(store, "listing the site's servers") { site throws(StoreError) in
            try await site.siteServers()
        }
        let report = ServersReport(servers, nowMicroseconds: EntitiesSubsystem.systemMicroseconds())
        print(json ? report.json() : report.table())
        // A site without exactly one live master runs no father link and no log trimming: make scripts notice.
        guard report.liveMasters == 1 else {
            let problem = report.liveMasters == 0
                ? "no live master: no live `arbor serve` process of this site holds the master role (is one running on this database and prefix?)"
                : "\(report.liveMasters) live masters: a site should have exactly one"
            FileHandle.standardError.write(Data("arbor servers: \(problem)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// What `arbor servers` shows: each announced process, whether it is live, and the summary.
struct ServersReport {
    struct Entry: Encodable {
        var url: String
        var edges: Int
        /// The master role, only for a live process: a stopped one's announcement is stale.
        var isMaster: Bool
        var isLive: Bool
        var lastSeenSecondsAgo: Double
    }

    var entries: [Entry]
    var liveMasters: Int

    init(_ servers: [SiteServerLoad], nowMicroseconds: Int64, rule: LoadBalancingRule = LoadBalancingRule()) {
        let live = Set(rule.live(servers, nowMicroseconds: nowMicroseconds).map(\.url))
        entries = servers.map { server in
            let isLive = live.contains(server.url)
            let age = Double(max(0, nowMicroseconds - server.seenMicroseconds)) / 1_000_000
            return Entry(url: server.url, edges: server.edges, isMaster: server.isMaster && isLive, isLive: isLive, lastSeenSecondsAgo: (age * 10).rounded() / 10)
        }
        liveMasters = entries.filter(\.isMaster).count
    }

    /// The processes as a table with a summary line. A stopped process that was the master
    /// shows `no (stopped)`: only a live process can hold the role.
    func table() -> String {
        guard !entries.isEmpty else { return "no server has announced itself: is `arbor serve` running on this database and prefix?" }
        let width = max("URL".count, entries.map(\.url.count).max() ?? 0)
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
        var lines = [pad("URL", width) + "  EDGES  MASTER        LAST SEEN"]
        for entry in entries {
            let seen = String(format: "%.1f s ago", entry.lastSeenSecondsAgo) + (entry.isLive ? "" : " (stopped)")
            let master = entry.isLive ? (entry.isMaster ? "yes" : "no") : "no (stopped)"
            lines.append(pad(entry.url, width) + "  " + pad(String(entry.edges), 5) + "  " + pad(master, 12) + "  " + seen)
        }
        let live = entries.filter(\.isLive).count
        lines.append("\(live) live of \(entries.count); \(liveMasters == 1 ? "one master" : "\(liveMasters) live masters")")
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object: `servers` (url, edges, isMaster, isLive,
    /// lastSeenSecondsAgo), `live`, `total` and `liveMasters`.
    func json() -> String {
        struct Document: Encodable {
            var servers: [Entry]
            var live: Int
            var total: Int
            var liveMasters: Int
        }
        let document = Document(servers: entries, live: entries.filter(\.isLive).count, total: entries.count, liveMasters: liveMasters)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
