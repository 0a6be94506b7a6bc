import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation
import Synchronization
import Testing

/// Selective distribution to proxies (§8.3) with real `arbor serve` processes on loopback: a
/// center and a branch proxy subscribing only to its fixed topic plus the topics its edges use.
@Suite(.serialized) struct SelectiveDistributionEndToEndTests {
    /// Customers by name, created at the center with one topic each.
    private struct Names {
        let ids: [String: UUID]
        static func with(_ names: [String]) -> Names {
            Names(ids: Dictionary(uniqueKeysWithValues: names.map { ($0, UUID()) }))
        }
        func id(_ name: String) -> UUID { ids[name]! }
        func names(_ buffers: [DeltaBuffer]) -> Set<String> {
            let byId = Dictionary(uniqueKeysWithValues: ids.map { ($0.value, $0.key) })
            return Set(buffers.flatMap(\.deltas).compactMap { byId[$0.key.techId] })
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func theBranchReceivesOnlyFixedAndUsedTopics() async throws {
        let centerBackend: TestStores.Backend = TestStores.available.contains(.postgres) ? .postgres : .sqlite
        let center = try await TreeSite(name: "center", backend: centerBackend, clients: ["branch"], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let branch = try await TreeSite(name: "branch", backend: .sqlite, clients: ["edge-a", "edge-b", "edge-c"], father: (center.baseURL, "unused"))
            sites.append(branch)
            // A 0.05-minute (3 s) life, so expiry shows within the test.
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: branch.configFile)) as? [String: Any])
            config["fatherSlice"] = nil
            config["selectiveDistribution"] = true
            config["fixedTopics"] = "all-branches"
            config["unusedTopicsLifeMinutes"] = 0.05
            try JSONSerialization.data(withJSONObject: config).write(to: branch.configFile)
            try await branch.start()
            let branchStore = try await TestStores.open(branch.place, prefix: branch.prefix, siteName: "branch")
            defer { Task { await branchStore.close() } }

            let names = Names.with(["F1", "A1", "B1", "G1", "A2", "B2", "F2", "G3", "F3", "A3"])
            let writer = try center.appEdge()
            func create(_ name: String, topic: String) async throws {
                _ = try await writer.append([Samples.customerCreate(id: names.id(name), name: name, topics: try TopicsList(parsing: ",\(topic),"))])
            }
            /// Which of `wanted` the branch's database holds.
            func held(_ wanted: Set<String>) async throws -> Set<String> {
                let states = try await branchStore.entities(Set(wanted.map { EntityKey("Customer", names.id($0)) }))
                let present = Set(states.map(\.techId))
                return wanted.filter { present.contains(names.id($0)) }
            }
            func edge(_ id: String) throws -> Edge {
                try Edge(configuration: EdgeConfiguration(
                    servers: [branch.baseURL], clientId: id, schema: Fixtures.retailSchema, requestTimeout: .seconds(30), fetchWait: .milliseconds(500)
                ))
            }

            try await create("F1", topic: "all-branches")
            try await create("A1", topic: "alpha")
            try await create("B1", topic: "beta")
            try await create("G1", topic: "gamma")
            try await eventually("the fixed topic reaches the branch") { try await held(["F1"]) == ["F1"] }
            #expect(try await held(["A1", "B1", "G1"]).isEmpty, "the branch received topics nobody uses")

            // A fetch with a topic the branch does not receive is refused; fetchDeltas recovers
            // by loading from the branch's cache server, which adds the topic.
            let edgeA = try edge("edge-a")
            // A client that holds nothing yet tells the site so, and resumes from the start.
            try await edgeA.registerEntities([])
            try await edgeA.skipLoad(slice: "alpha+all-branches", lastSequence: 0)
            do {
                _ = try await edgeA.fetchDeltasOnce(waitMilliseconds: 0)
                Issue.record("a fetch using topic alpha was served by a branch that does not receive it")
            } catch let error as EdgeError {
                #expect(error.isTopicNotInProxySlice, "\(error)")
                #expect(error.message.contains("alpha"), "\(error)")
            }
            let recovered = try await edgeA.fetchDeltas()
            #expect(names.names(recovered) == ["F1", "A1"])
            #expect(try await held(["A1"]) == ["A1"])

            let edgeB = try edge("edge-b")
            #expect(names.names(try await edgeB.fullLoad(slice: "beta*!archived").buffers) == ["B1"])

            // Edges that keep fetching keep their topics; the center's writes reach them.
            let seenA = Mutex<Set<String>>([]), seenB = Mutex<Set<String>>([])
            let namesNow = names
            let readers = [
                Task { while !Task.isCancelled { if let got = try? await edgeA.fetchDeltas() { seenA.withLock { $0.formUnion(namesNow.names(got)) } } } },
                Task { while !Task.isCancelled { if let got = try? await edgeB.fetchDeltas() { seenB.withLock { $0.formUnion(namesNow.names(got)) } } } },
            ]
            defer { readers.forEach { $0.cancel() } }
            try await create("A2", topic: "alpha")
            try await create("B2", topic: "beta")
            try await create("F2", topic: "all-branches")

            // Nobody fetches gamma after one load: it expires, and the branch stops receiving it.
            let edgeC = try edge("edge-c")
            #expect(names.names(try await edgeC.fullLoad(slice: "gamma").buffers) == ["G1"])
            try await eventually("gamma expires at the branch", timeout: .seconds(30)) {
                try await !branchStore.proxyTopics().contains { $0.topic == "gamma" }
            }
            try await create("G3", topic: "gamma")
            try await create("F3", topic: "all-branches")
            try await create("A3", topic: "alpha")
            try await eventually("later center writes on fixed and used topics reach the branch", timeout: .seconds(30)) {
                try await held(["F3", "A3"]) == ["F3", "A3"]
            }
            #expect(try await held(["G3"]).isEmpty, "the branch still receives the expired topic gamma")
            let topics = try await branchStore.proxyTopics()
            #expect(Set(topics.map(\.topic)).isSuperset(of: ["alpha", "beta"]) && topics.allSatisfy(\.isActive), "\(topics)")
            do {
                _ = try await edgeC.fetchDeltasOnce(waitMilliseconds: 0)
                Issue.record("a fetch using the expired topic gamma was served")
            } catch let error as EdgeError {
                #expect(error.isTopicNotInProxySlice, "\(error)")
            }
            try await eventually("the edges receive the center's writes on their topics", timeout: .seconds(30)) {
                seenA.withLock { $0.isSuperset(of: ["A2", "F2"]) } && seenB.withLock { $0.contains("B2") }
            }
            #expect(seenB.withLock { !$0.contains("A2") && !$0.contains("F2") })
        } catch {
            for site in sites { if let log = site.process?.logFile, let text = try? String(contentsOf: log, encoding: .utf8) { print("--- \(site.name) log:\n\(text.suffix(4_000))") } }
            for site in sites { await site.remove() }
            throw error
        }
        for site in sites { await site.remove() }
    }
}
