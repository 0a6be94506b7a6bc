import ArborServer
import ArgumentParser
import Foundation

/// `arbor status`: one running site as its status page shows it, in the terminal.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a running site's status: father link, sons, server processes, clients and recent errors.",
        discussion: """
            Reads GET /arbor/{instance}/status.json of the site's server (the data of its status page \
            /arbor/{instance}/status). From the site's own machine (loopback) no credential is needed; \
            from elsewhere use a client listed in the site's statusClients setting (--client-id, --secret-file). \
            Example: `arbor status --url http://127.0.0.1:8080`.
            """
    )

    @OptionGroup var source: StatusSource
    @Flag(name: .long, help: "Print the report as JSON (the status.json document) for scripts and monitoring.")
    var json = false

    func run() async throws {
        let (data, report) = try await source.fetch()
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Self.text(report))
        }
    }

    /// The report as readable lines.
    static func text(_ report: SiteStatusReport) -> String {
        var lines = [
            "site \(report.site) (instance \(report.instance), schema \(report.schemaName)): sequence \(report.sequence), "
                + (report.connectedToCenter ? "connected to center" : "NOT connected to center") + (report.isMaster ? ", this process is the master" : ""),
        ]
        if let father = report.father {
            lines.append("father \(father.servers.joined(separator: ", ")) as '\(father.clientId)': \(father.state); last contact \(statusSeconds(father.lastContactSecondsAgo)) ago; "
                + "lag \(father.lagSequences.map(String.init) ?? "–") sequences, \(statusSeconds(father.lagSeconds)); upload backlog \(father.uploadBacklog.map(String.init) ?? "–")")
        } else {
            lines.append(report.site == "center" ? "father: none (this is the center)" : "father: no link")
        }
        lines.append(report.sons.isEmpty ? "sons: none" : "sons:")
        for son in report.sons {
            lines.append("  \(son.clientId)\(son.site.map { $0 == son.clientId ? "" : " (site \($0))" } ?? ""): \(son.connected ? "connected" : "NOT CONNECTED")\(son.enabled ? "" : " (disabled)"); "
                + "last contact \(statusSeconds(son.lastContactSecondsAgo)) ago; lag \(son.lagSequences.map(String.init) ?? "–") sequences, \(statusSeconds(son.lagSeconds)); "
                + "upload backlog \(son.uploadBacklog.map(String.init) ?? "–")")
        }
        lines.append("server processes:")
        for server in report.servers {
            lines.append("  \(server.url): \(server.isLive ? "live" : "stopped")\(server.isMaster ? ", master" : ""), \(server.edges) edge\(server.edges == 1 ? "" : "s"), seen \(statusSeconds(server.lastSeenSecondsAgo)) ago")
        }
        lines.append(report.connectedClients.isEmpty ? "connected clients: none" : "connected clients:")
        for client in report.connectedClients {
            let fetch = client.openFetches > 0 ? "waiting now" : "last fetch \(statusSeconds(client.lastFetchSecondsAgo)) ago"
            lines.append("  \(client.clientId) (\(client.role)) slice \(client.slice)\(client.registered ? ", registered" : ""); \(fetch); lag \(client.lagSequences) sequences")
        }
        lines.append(report.clients.isEmpty ? "clients table: empty" : "clients table:")
        for client in report.clients {
            lines.append("  \(client.clientId) bit \(client.bit) \(client.role) \(client.enabled ? "enabled" : "DISABLED") \(client.hasSecret ? "secret set" : "no secret"); "
                + (client.lastSeenSecondsAgo.map { "seen \(statusSeconds($0)) ago" } ?? "not seen since this process started"))
        }
        lines.append(report.recentErrors.isEmpty ? "recent errors: none" : "recent errors:")
        for error in report.recentErrors.suffix(10) {
            lines.append("  \(statusSeconds(error.secondsAgo)) ago \(error.source) \(error.code)\(error.count > 1 ? " ×\(error.count)" : ""): \(error.message)")
        }
        return lines.joined(separator: "\n")
    }
}
