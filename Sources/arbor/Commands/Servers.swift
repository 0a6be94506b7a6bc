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

    func run() async throws {
        let servers = try await Clients.withStore(store, "listing the site's servers") { site throws(StoreError) in
            try await site.siteServers()
        }
        print(Self.table(servers, nowMicroseconds: EntitiesSubsystem.systemMicroseconds()))
    }

    /// The processes as a table with a summary line.
    static func table(_ servers: [SiteServerLoad], nowMicroseconds: Int64, rule: LoadBalancingRule = LoadBalancingRule()) -> String {
        guard !servers.isEmpty else { return "no server has announced itself: is `arbor serve` running on this database and prefix?" }
        let live = Set(rule.live(servers, nowMicroseconds: nowMicroseconds).map(\.url))
        let width = max("URL".count, servers.map(\.url.count).max() ?? 0)
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
        var lines = [pad("URL", width) + "  EDGES  MASTER  LAST SEEN"]
        for server in servers {
            let age = Double(max(0, nowMicroseconds - server.seenMicroseconds)) / 1_000_000
            let seen = String(format: "%.1f s ago", age) + (live.contains(server.url) ? "" : " (stopped)")
            lines.append(pad(server.url, width) + "  " + pad(String(server.edges), 5) + "  " + pad(server.isMaster ? "yes" : "no", 6) + "  " + seen)
        }
        let masters = servers.filter { $0.isMaster && live.contains($0.url) }.count
        lines.append("\(live.count) live of \(servers.count); \(masters == 1 ? "one master" : "\(masters) live masters")")
        return lines.joined(separator: "\n")
    }
}
