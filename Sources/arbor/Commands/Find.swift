import ArborCore
import ArborEdge
import ArgumentParser
import Foundation

/// `arbor find`: the site processes on the local network that answer discovery (Docs/discovery.md).
struct Find: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the site processes on the local network that announce themselves (announce setting).",
        discussion: """
            Sends a discovery query by UDP (broadcast by default) and lists every site process that serves \
            the instance and schema asked for, with its URLs. Exits with failure when none answers.
            """
    )

    @Option(name: .long, help: "Instance in the sites' URLs (default 1).") var instance = "1"
    @Option(name: .long, help: "Distribution schema name (default: the embedded example's).") var schema: String?
    @Option(name: .customLong("to"), help: "Where to send the query: address[:port], repeatable (default 255.255.255.255:\(DiscoveryDatagram.defaultPort)).")
    var destinations: [String] = []
    @Option(name: .long, help: "Milliseconds to wait for answers (default 1000).") var waitMilliseconds = 1_000
    @Flag(name: .long, help: "Print the sites as a JSON array.") var json = false

    func run() async throws {
        guard (50...60_000).contains(waitMilliseconds) else { throw ValidationError("--wait-milliseconds must be between 50 and 60000, got \(waitMilliseconds)") }
        let schemaName = try schema ?? StoreOptions.loadSchema(nil).name
        let finder = SiteFinder(destinations: destinations.isEmpty ? [SiteFinder.localBroadcast] : destinations, wait: .milliseconds(waitMilliseconds))
        let found: [SiteAnnouncement]
        do { found = try await finder.find(instance: instance, schema: schemaName) } catch { throw ValidationError(error.message) }
        if json {
            let rows = found.map { Row(site: $0.site, servers: $0.servers, connectedToCenter: $0.connectedToCenter) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(rows.isEmpty ? "[]" : String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            for site in found {
                print("\(site.site)\t\(site.servers.joined(separator: " "))\t\(site.connectedToCenter ? "connected to center" : "not connected to center")")
            }
        }
        guard !found.isEmpty else {
            FileHandle.standardError.write(Data("arbor find: no site of instance '\(instance)' and schema '\(schemaName)' answered within \(waitMilliseconds) ms (is announce on at the site, and UDP port \(DiscoveryDatagram.defaultPort) open?)\n".utf8))
            throw ExitCode.failure
        }
    }

    private struct Row: Encodable {
        var site: String
        var servers: [String]
        var connectedToCenter: Bool
    }
}
