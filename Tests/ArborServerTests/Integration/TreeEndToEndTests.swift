import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Synchronization
import Testing

/// Issue 5's proof with real `arbor serve` processes on loopback: center (PostgreSQL when
/// configured), two branches and a leaf on SQLite, concurrent writes at every level, a branch
/// killed with SIGKILL and restarted, a branch cut off while both sides write. At the end every
/// site equals its father on its slice, and per-field last-writer-wins picked the right values.
@Suite(.serialized, .heavy) struct TreeEndToEndTests {
    @Test(.heavy(timeLimit: .seconds(180)))
    func threeLevelsConverge() async throws {
        let centerBackend: TestStores.Backend = TestStores.available.contains(.postgres) ? .postgres : .sqlite
        let center = try await TreeSite(name: "center", backend: centerBackend, sons: ["east", "west"], clients: ["checker"], father: nil)
        var sites = [center]
        var relay: TCPRelay?
        do {
            try await center.start()
            let eastRelay = try await TCPRelay.start(to: center.process?.port ?? 0)
            relay = eastRelay
            let east = try await TreeSite(name: "east", backend: .sqlite, sons: ["leaf"], clients: ["checker"], father: ("http://127.0.0.1:\(eastRelay.port)", "east+shared"))
            let west = try await TreeSite(name: "west", backend: .sqlite, clients: ["checker"], father: (center.baseURL, "west+shared"))
            sites += [east, west]
            try await east.start()
            try await west.start()
            let leaf = try await TreeSite(name: "leaf", backend: .sqlite, clients: ["checker"], father: (east.baseURL, "shared"))
            sites.append(leaf)
            try await leaf.start()
            let book = WriteBook()

            // Phase 1: every level creates entities.
            try await book.create("S1", at: center, topics: ",shared,")
            try await book.create("S2", at: center, topics: ",shared,")
            try await book.create("CW", at: center, topics: ",west,")
            try await book.create("E1", at: east, topics: ",east,")
            try await book.create("ES", at: east, topics: ",shared,")
            try await book.create("W1", at: west, topics: ",west,")
            try await book.create("L1", at: leaf, topics: ",shared,")
            try await waitForConvergence(center: center, east: east, west: west, leaf: leaf)

            // Phase 2: concurrent updates; different fields of S1 at center and leaf, the same field of S2.
            async let centerName: Void = book.update("S1", at: center, fields: ["name": .text("named at center")])
            async let leafEmail: Void = book.update("S1", at: leaf, fields: ["email": .text("leaf@example.org")])
            _ = try await (centerName, leafEmail)
            try await book.update("S2", at: center, fields: ["creditLimit": .double(1)])
            try await book.update("S2", at: west, fields: ["creditLimit": .double(2)])
            // CW moves from west's slice into east's.
            try await book.update("CW", at: center, topics: ",east,", fields: ["name": .text("moved east")])

            // West is killed mid-stream and restarted; acknowledged writes must survive.
            let westWriter = Task { () -> [String] in
                var acknowledged: [String] = []
                for number in 0..<12 {
                    let name = "WK\(number)"
                    if (try? await book.create(name, at: west, topics: ",west,")) != nil { acknowledged.append(name) }
                    try? await Task.sleep(for: .milliseconds(40))
                }
                return acknowledged
            }
            try await Task.sleep(for: .milliseconds(200))
            west.kill9()
            try await west.start()
            let westAcknowledged = await westWriter.value
            #expect(!westAcknowledged.isEmpty)

            // East is cut off while both sides write.
            eastRelay.cut()
            try await book.create("E2", at: east, topics: ",east,")
            try await book.update("ES", at: east, fields: ["name": .text("offline at east")])
            try await book.create("S3", at: center, topics: ",shared,")
            try await book.update("E1", at: center, fields: ["vip": .bool(true)])
            try await Task.sleep(for: .seconds(2))
            eastRelay.heal()
            try await waitForConvergence(center: center, east: east, west: west, leaf: leaf)

            // Nothing written anywhere was lost, and the right writers won.
            let checker = try center.clientEdge("checker")
            let everything = try await checker.fullLoad(slice: "east+west+shared")
            let byId = Dictionary(everything.deltas.map { ($0.techId, $0) }, uniquingKeysWith: { $1 })
            for (name, id) in book.ids where westAcknowledged.contains(name) || !name.hasPrefix("WK") {
                #expect(byId[id] != nil, "\(name) is missing at the center")
            }
            #expect(byId[book.ids["S1"]!]?.fields["name"]?.value == .text("named at center"))
            #expect(byId[book.ids["S1"]!]?.fields["email"]?.value == .text("leaf@example.org"), "both concurrent field updates survive")
            #expect(byId[book.ids["S2"]!]?.fields["creditLimit"]?.value == .double(2), "the later write of the same field wins")
            #expect(byId[book.ids["ES"]!]?.fields["name"]?.value == .text("offline at east"), "writes made while cut off reach the center")
            #expect(byId[book.ids["E1"]!]?.fields["vip"]?.value == .bool(true))
        } catch {
            await relay?.stop()
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        await relay?.stop()
        for site in sites.reversed() { await site.remove() }
    }

    /// Polls digests until each son equals its father on the son's slice (≤ 60 s).
    func waitForConvergence(center: TreeSite, east: TreeSite, west: TreeSite, leaf: TreeSite) async throws {
        let pairs: [(TreeSite, TreeSite, String)] = [(center, east, "east+shared"), (center, west, "west+shared"), (east, leaf, "shared")]
        let deadline = ContinuousClock.now + .seconds(60)
        var lastDifference = ""
        while ContinuousClock.now < deadline {
            var allEqual = true
            for (father, son, slice) in pairs {
                guard let fatherDigests = try? await father.clientEdge("checker").digests(slice: slice),
                      let sonDigests = try? await son.clientEdge("checker").digests(slice: slice) else {
                    allEqual = false
                    lastDifference = "\(son.name) or \(father.name) did not answer"
                    continue
                }
                let report = VerifyReport(a: fatherDigests, b: sonDigests, labelA: father.name, labelB: son.name)
                if !report.isEqual {
                    allEqual = false
                    lastDifference = "\(father.name) vs \(son.name) on \(slice): \(report)"
                }
            }
            if allEqual { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("sites did not converge within 60 s: \(lastDifference)")
        throw TestStoreError("no convergence")
    }
}

/// The entities the test wrote, by name (shared by concurrent writers).
final class WriteBook: Sendable {
    private let names = Mutex<[String: UUID]>([:])

    var ids: [String: UUID] { names.withLock { $0 } }

    func create(_ name: String, at site: TreeSite, topics: String) async throws {
        let id = names.withLock { names in
            let id = names[name] ?? UUID()
            names[name] = id
            return id
        }
        let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics),
                                fields: ["name": .text(name), "vip": .bool(false)])
        _ = try await site.appEdge().append([write])
    }

    func update(_ name: String, at site: TreeSite, topics: String? = nil, fields: [String: FieldValue]) async throws {
        guard let id = ids[name] else { throw TestStoreError("unknown entity \(name)") }
        let write = EntityWrite(.update, entityClass: "Customer", techId: id, topics: try topics.map { try TopicsList(parsing: $0) }, fields: fields)
        _ = try await site.appEdge().append([write])
    }
}
