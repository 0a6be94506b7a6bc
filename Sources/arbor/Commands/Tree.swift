import ArborServer
import ArgumentParser
import Foundation

/// `arbor tree`: the whole tree below a site (the center) as its sons report it.
struct Tree: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tree of sites below a running site (run it at the center): each site connected or not, its lag and upload backlog.",
        discussion: """
            Each son sends its father a summary of itself and its own sons with its link, every heartbeat \
            (a son behind NAT cannot be called), and the father keeps the latest; so the center knows the \
            whole tree. Reads the site's status.json like `arbor status` (same options). \
            Example: `arbor tree --url http://127.0.0.1:8080`.
            """
    )

    @OptionGroup var source: StatusSource
    @Flag(name: .long, help: "Print the tree as JSON (the tree object of status.json).")
    var json = false

    func run() async throws {
        let (_, report) = try await source.fetch()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.tree), as: UTF8.self))
        } else {
            print(Self.text(report.tree))
        }
    }

    /// One line per site, drawn as a tree.
    static func text(_ root: SiteSummary) -> String {
        var lines = ["\(root.site)  sequence \(root.sequence)"]
        func walk(_ node: SiteSummary, prefix: String) {
            for (index, son) in node.sons.enumerated() {
                let last = index == node.sons.count - 1
                let name = son.clientId.map { $0 == son.site ? son.site : "\(son.site) (client \($0))" } ?? son.site
                let age = son.reportAgeSeconds.map { "; reported \(statusSeconds($0)) ago" } ?? "; never reported"
                lines.append(prefix + (last ? "└─ " : "├─ ") + "\(name)  \(son.connected ? "connected" : "NOT CONNECTED")  sequence \(son.sequence)  "
                    + "lag \(son.lagSequences.map(String.init) ?? "–") seq / \(statusSeconds(son.lagSeconds))  backlog \(son.uploadBacklog.map(String.init) ?? "–")\(age)")
                walk(son, prefix: prefix + (last ? "   " : "│  "))
            }
        }
        walk(root, prefix: "")
        return lines.joined(separator: "\n")
    }
}
