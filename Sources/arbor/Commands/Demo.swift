import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArgumentParser
import Foundation
import Logging
import UnixSignals

/// `arbor demo`: a three-level tree (center → east → leaf) on temporary SQLite databases in this
/// process, on loopback ports, showing writes at every level travel up and down and concurrent
/// updates of different fields both survive; ends by comparing the sites' digests.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a three-site tree on temporary SQLite databases and show replication (the embedded default).",
        discussion: """
            With --keep-running the tree keeps serving after the demo until Ctrl-C, and east knows a son client             'replica' (no secret), so an offline-first application can join it:             arbor-replica-example --db /tmp/replica.sqlite --father <east's URL> --site replica --slice east
            """
    )

    @Flag(name: .long, help: "Keep the tree serving after the demo, until Ctrl-C (for arbor-replica-example and edges).")
    var keepRunning = false

    func run() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let logger = Logger(label: "arbor.demo", factory: { _ in SwiftLogNoOpLogHandler() })
        let schema = DistributionSchema.exampleRetail
        func site(_ name: String, sons: [String], father: (url: String, slice: String)?) async throws -> EmbeddedSite {
            try await EmbeddedSite.start(name: name, location: .sqlite(path: scratch.appendingPathComponent("\(name).sqlite").path),
                                         schema: schema, sons: sons, clients: ["viewer"], father: father, logger: logger)
        }
        let center = try await site("center", sons: ["east"], father: nil)
        let east = try await site("east", sons: keepRunning ? ["leaf", Self.replicaClient] : ["leaf"], father: (center.url, "east+shared"))
        let leaf = try await site("leaf", sons: [], father: (east.url, "shared"))
        let sites = [center, east, leaf]
        print("center \(center.url), east \(east.url) (son of center, slice east+shared), leaf \(leaf.url) (son of east, slice shared)")
        do {
            let ada = UUID(), bob = UUID(), cy = UUID()
            try await write(at: center, .create(inCache: true), ada, topics: ",shared,", ["name": .text("Ada"), "vip": .bool(false)])
            try await write(at: east, .create(inCache: true), bob, topics: ",east,", ["name": .text("Bob"), "vip": .bool(false)])
            try await write(at: leaf, .create(inCache: true), cy, topics: ",shared,", ["name": .text("Cy"), "vip": .bool(true)])
            print("wrote Ada at center, Bob at east, Cy at leaf")
            try await converge(sites, schema: schema)
            print("east equals center on east+shared, leaf equals east on shared (digests of values and write times)")
            async let atCenter: Void = write(at: center, .update, ada, ["email": .text("ada@hq.example")])
            async let atLeaf: Void = write(at: leaf, .update, ada, ["creditLimit": .double(500)])
            _ = try await (atCenter, atLeaf)
            print("updated Ada's email at center and her credit limit at leaf, concurrently")
            try await converge(sites, schema: schema)
            let loaded = try await viewer(leaf, schema).fullLoad(slice: "shared")
            let fields = loaded.deltas.first { $0.techId == ada }?.fields ?? [:]
            print("Ada at leaf: email \(Self.show(fields["email"]?.value)), credit limit \(Self.show(fields["creditLimit"]?.value))")
            guard fields["email"]?.value == .text("ada@hq.example"), fields["creditLimit"]?.value == .double(500) else {
                throw CommandFailure("demo failed: one of the concurrent updates was lost")
            }
            print("demo passed: all sites converged, both concurrent field updates survived")
            if keepRunning { await serveUntilInterrupted(east: east) }
        } catch {
            for site in sites.reversed() { await site.stop() }
            throw error
        }
        for site in sites.reversed() { await site.stop() }
    }

    /// The son client east knows with --keep-running, for a replica to join as.
    static let replicaClient = "replica"

    /// Prints how to join the running tree and waits for SIGINT or SIGTERM.
    private func serveUntilInterrupted(east: EmbeddedSite) async {
        print("""
            the tree keeps running until Ctrl-C (its databases are removed then). Join east with a replica:
              .build/debug/arbor-replica-example --db /tmp/replica.sqlite --father \(east.url) --site \(Self.replicaClient) --slice east --create 'Dee'
            or read it with an edge as client 'viewer' (no secret): \(east.url)/arbor/1/cache/full-load
            """)
        // A script reading this through a pipe needs the URLs now, not at exit.
        fflush(nil)
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals { break }
        print("stopping the tree")
    }

    static func show(_ value: FieldValue?) -> String {
        switch value {
        case .text(let text): return text
        case .double(let number): return "\(number)"
        default: return "missing"
        }
    }

    private func viewer(_ site: EmbeddedSite, _ schema: DistributionSchema) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [site.url], clientId: "viewer", useRegistration: true, schema: schema))
    }

    private func write(at site: EmbeddedSite, _ kind: EntityWrite.Kind, _ id: UUID, topics: String? = nil, _ fields: [String: FieldValue]) async throws {
        let edge = try Edge(configuration: EdgeConfiguration(servers: [site.url], clientId: "viewer", schema: site.store.schema))
        _ = try await edge.append([EntityWrite(kind, entityClass: "Customer", techId: id, topics: try topics.map { try TopicsList(parsing: $0) }, fields: fields)])
    }

    /// Waits (≤ 30 s) until each son's digests equal its father's on the son's slice.
    private func converge(_ sites: [EmbeddedSite], schema: DistributionSchema) async throws {
        let pairs = [(sites[0], sites[1], "east+shared"), (sites[1], sites[2], "shared")]
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var equal = true
            for (father, son, slice) in pairs {
                let a = try await viewer(father, schema).digests(slice: slice)
                let b = try await viewer(son, schema).digests(slice: slice)
                if !VerifyReport(a: a, b: b, labelA: father.name, labelB: son.name).isEqual { equal = false }
            }
            if equal { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure("demo failed: the sites did not converge within 30 s")
    }
}
