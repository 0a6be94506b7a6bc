import ArborCore
import ArborEdge
import ArborReplica
import ArgumentParser
import Foundation
import Logging

/// An offline-first application in a few lines: it keeps a local replica of a slice, prints
/// every change and every change of the link's state, and writes a customer on request — also
/// while its branch is stopped; the write goes up when the branch returns.
@main
struct ReplicaExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbor-replica-example",
        abstract: "Keep a local replica of a slice of a branch, print its changes, write while offline.",
        discussion: """
            The branch must know this replica as a son client: \
            `arbor clients add my-laptop --role son --generate-secret --db … > my-laptop.secret`. \
            Example: `arbor-replica-example --db my-laptop.sqlite --father http://127.0.0.1:8081 \
            --site my-laptop --secret-file my-laptop.secret --slice east --create 'Ann Smith' --topics ,east,`. \
            Stop the branch: the replica keeps reading and writing; start it again: it syncs.
            """
    )

    @Option(help: "The replica's SQLite file (created on first use).") var db: String
    @Option(help: "A server URL of the father site (repeat for several processes).") var father: [String] = []
    @Flag(help: "Find the father on the local network (its `arbor serve` runs with announce on) by UDP broadcast.") var find = false
    @Option(help: "Find the father by asking this address[:port] instead of broadcasting (repeatable; implies --find).") var findAt: [String] = []
    @Option(help: "This replica's client id at the father (a son client there).") var site: String
    @Option(help: "A file holding the client's secret (as `arbor clients add --generate-secret` wrote it).") var secretFile: String?
    @Option(help: "The slice of the father's data to keep here.") var slice: String
    @Option(help: "Write a customer with this name at start (repeatable).") var create: [String] = []
    @Option(help: "The topics list of the customers --create writes.") var topics: String = ",east,"
    @Option(help: "Stop after this many seconds (default: run until interrupted).") var seconds: Double?

    func validate() throws {
        guard !father.isEmpty || find || !findAt.isEmpty else {
            throw ValidationError("--father: give at least one server URL of the father site, or --find to find it on the local network")
        }
        if !create.isEmpty { _ = try TopicsList(parsing: topics) }
    }

    func run() async throws {
        var logger = Logger(label: "replica-example")
        logger.logLevel = .warning
        var configuration = ReplicaConfiguration(databasePath: db, schema: .exampleRetail, siteName: site, fatherServers: father, slice: slice)
        if find || !findAt.isEmpty {
            configuration.discovery = ReplicaDiscovery(finder: SiteFinder(destinations: findAt.isEmpty ? [SiteFinder.localBroadcast] : findAt))
        }
        if let secretFile {
            let secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            var link = configuration.linkSettingsOrDefault
            link.clientSecret = secret
            configuration.link = link
        }
        let replica = try await Replica.open(configuration, logger: logger)
        let held = try await replica.entities(ofClass: "Customer")
        print("replica \(db): \(held.count) customers held locally")
        for name in create {
            let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: topics), fields: ["name": .text(name), "vip": .bool(false)])
            let sequence = try await replica.write([write])
            print("wrote customer '\(name)' locally (local sequence \(sequence.map(String.init) ?? "–")); it goes up when the father answers")
        }
        let changes = Task {
            for try await buffer in replica.changes(after: 0) {
                for delta in buffer.deltas { print("change \(buffer.sequence): \(Self.line(delta))") }
            }
        }
        let status = Task {
            for try await now in replica.statusUpdates(every: .milliseconds(500)) {
                print("link: \(now.connected ? "connected" : "offline") (\(now.linkStatus ?? "starting")), pending uploads \(now.pendingUploads), lag \(now.lag.map(String.init) ?? "–")")
            }
        }
        if let seconds {
            try? await Task.sleep(for: .seconds(seconds))
        } else {
            await Self.waitForInterrupt()
        }
        changes.cancel()
        status.cancel()
        await replica.close()
    }

    /// `CREATE Customer 1F3A… ,east, name=Ann Smith`.
    static func line(_ delta: Delta) -> String {
        let fields = delta.fields.keys.sorted().map { "\($0)=\(delta.fields[$0].map { String(describing: $0.value) } ?? "")" }
        return ([delta.operation.description, delta.entityClass, delta.techId.uuidString, delta.topics.description] + fields).joined(separator: " ")
    }

    static func waitForInterrupt() async {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            source.setEventHandler { continuation.resume(); source.cancel() }
            source.resume()
        }
    }
}
