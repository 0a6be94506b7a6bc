import ArborCore
import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation

/// Helpers for edge-level scenario tests: named entities, writes through the append API, and
/// reading what an edge receives as "OP name" strings.
struct Scenario {
    let site: LinkedSite
    let app: Edge
    private(set) var names: [UUID: String] = [:]

    init(site: LinkedSite) throws {
        self.site = site
        app = try Edge(configuration: EdgeConfiguration(servers: [site.baseURL], clientId: TreeSite.appClient, schema: Fixtures.retailSchema, fetchWait: .seconds(2)))
    }

    /// A registered edge for `clientId` (added to the clients table if missing).
    func edge(_ clientId: String, format: EdgeConfiguration.Format = .binary) async throws -> Edge {
        if try await site.store.clients().first(where: { $0.clientId == clientId }) == nil {
            _ = try await site.store.addClient(id: clientId, bit: nil)
            try await site.context.clients.refresh()
        }
        return try Edge(configuration: EdgeConfiguration(
            servers: [site.baseURL], clientId: clientId, useRegistration: true, schema: Fixtures.retailSchema, format: format, fetchWait: .seconds(2)
        ))
    }

    /// The id of the entity called `name` (stable per name).
    mutating func id(_ name: String) -> UUID {
        if let found = names.first(where: { $0.value == name })?.key { return found }
        let id = UUID()
        names[id] = name
        return id
    }

    func name(_ id: UUID) -> String { names[id] ?? id.uuidString }

    /// The names given so far.
    var namesById: [UUID: String] { names }

    /// Names `id` (after a restart, to keep the earlier names).
    mutating func remember(_ id: UUID, as name: String) { names[id] = name }

    /// Creates Customer `name` with `topics` through the append API; returns the commit sequence.
    @discardableResult
    mutating func create(_ name: String, topics: String) async throws -> Int64 {
        let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id(name), topics: try TopicsList(parsing: topics),
                                fields: ["name": .text(name), "vip": .bool(false)])
        return try await append(write)
    }

    /// Updates Customer `name`: its display name, and its topics when given.
    @discardableResult
    mutating func update(_ name: String, label: String, topics: String? = nil) async throws -> Int64 {
        let write = EntityWrite(.update, entityClass: "Customer", techId: id(name), topics: try topics.map { try TopicsList(parsing: $0) },
                                fields: ["name": .text(label)])
        return try await append(write)
    }

    func append(_ write: EntityWrite) async throws -> Int64 {
        let response = try await app.append(json: try EntityWriteJSON.encode([write], schema: Fixtures.retailSchema))
        guard let sequence = response.sequence else { throw TestStoreError("append committed nothing: \(response.outcomes)") }
        return sequence
    }

    /// Everything `edge` receives until it holds `sequence`, as "OP name" strings.
    func received(_ edge: Edge, through sequence: Int64) async throws -> [String] {
        var seen: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while edge.sequence < sequence {
            guard ContinuousClock.now < deadline else { throw TestStoreError("edge stuck at \(edge.sequence), waiting for \(sequence)") }
            seen += try await edge.fetchDeltasOnce(waitMilliseconds: 2_000).flatMap(\.deltas).map { "\($0.operation) \(name($0.techId))" }
        }
        return seen
    }

    /// The names in a load, sorted.
    func names(in load: DeltaBatch) -> [String] {
        load.deltas.map { name($0.techId) }.sorted()
    }
}
