import ArborCore
import ArborEdge
import ArborStore
import ArborTesting
import Foundation
import Synchronization
import Testing

/// Selective distribution to proxies (§8.3) with real `arbor serve` processes on loopback: a
/// center and a branch proxy subscribing only to its fixed topic plus the topics its edges use.
@Suite(.serialized, .heavy) struct SelectiveDistributionEndToEndTests {
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

    /// A branch site with selective distribution: fixed topic `all-branches`, and a 0.05-minute
    /// (3 s) life, so expiry shows within a test.
    static func selectiveBranch(father: TreeSite, sons: [String] = [], clients: [String], backend: TestStores.Backend = .sqlite) async throws -> TreeSite {
        let branch = try await TreeSite(name: "branch", backend: backend, sons: sons, clients: clients, father: (father.baseURL, "unused"))
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: branch.configFile)) as? [String: Any])
        config["fatherSlice"] = nil
        config["selectiveDistribution"] = true
        config["fixedTopics"] = ["all-branches"]
        config["unusedTopicsLifeMinutes"] = 0.05
        try JSONSerialization.data(withJSONObject: config).write(to: branch.configFile)
        return branch
    }

    @Test(.heavy(timeLimit: .seconds(180)))
    func theBranchReceivesOnlyFixedAndUsedTopics() async throws {
        let centerBackend: TestStores.Backend = TestStores.available.contains(.postgres) ? .postgres : .sqlite
        let center = try await TreeSite(name: "center", backend: centerBackend, sons: ["branch"], clients: [], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let branch = try await Self.selectiveBranch(father: center, clients: ["edge-a", "edge-b", "edge-c"])
            sites.append(branch)
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
            // Server processes trust their copy of the received topics for 250 ms.
            try await Task.sleep(for: .milliseconds(500))
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

    /// Two processes serve the branch; only the master runs the link. A load at the other one
    /// requests its topics in the database and waits until the master received them. Then the
    /// master is killed: the other takes over the link with the subscription the table holds.
    @Test(.heavy(timeLimit: .seconds(180)))
    func aLoadAtAProcessWithoutTheLinkWaitsForTheMaster() async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["branch"], clients: [], father: nil)
        var branch: TreeSite?
        var processes: [ServeProcess] = []
        do {
            try await center.start()
            let site = try await Self.selectiveBranch(father: center, clients: ["edge-d", "edge-e"])
            branch = site
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            try await eventually("one branch process is the master", timeout: .seconds(60)) {
                let roles = await [BranchProxyProcessesTests.isMaster(processes[0].baseURL), BranchProxyProcessesTests.isMaster(processes[1].baseURL)]
                return roles.filter { $0 == true }.count == 1 && roles.allSatisfy { $0 != nil }
            }
            let other = await BranchProxyProcessesTests.isMaster(processes[0].baseURL) == true ? processes[1] : processes[0]

            let writer = try center.appEdge()
            let first = UUID(), second = UUID()
            _ = try await writer.append([Samples.customerCreate(id: first, name: "D1", topics: try TopicsList(parsing: ",delta-topic,"))])
            // Only this process is listed, so the edge cannot be redirected to the master.
            let edge = try Edge(configuration: EdgeConfiguration(
                servers: [other.baseURL], clientId: "edge-d", schema: Fixtures.retailSchema, requestTimeout: .seconds(30), fetchWait: .milliseconds(500)
            ))
            let load = try await edge.fullLoad(slice: "delta-topic")
            #expect(load.deltas.map(\.key.techId) == [first], "the load at the non-master process did not wait for its topic")
            _ = try await writer.append([Samples.customerCreate(id: second, name: "D2", topics: try TopicsList(parsing: ",delta-topic,"))])
            let deadline = ContinuousClock.now + .seconds(30)
            var received: [UUID] = []
            while !received.contains(second), ContinuousClock.now < deadline {
                received += try await edge.fetchDeltas().flatMap(\.deltas).map(\.key.techId)
            }
            #expect(received.contains(second), "a center write on the loaded topic did not reach the edge at the non-master process")

            // SIGKILL the master: the other process takes the role and the subscription as the table holds it.
            let master = other === processes[0] ? processes[1] : processes[0]
            kill(master.process.processIdentifier, SIGKILL)
            master.process.waitUntilExit()
            try await eventually("the remaining process becomes the master", timeout: .seconds(60)) {
                await BranchProxyProcessesTests.isMaster(other.baseURL) == true
            }
            let third = UUID(), fourth = UUID()
            _ = try await writer.append([Samples.customerCreate(id: third, name: "D3", topics: try TopicsList(parsing: ",delta-topic,"))])
            _ = try await writer.append([Samples.customerCreate(id: fourth, name: "E1", topics: try TopicsList(parsing: ",epsilon-topic,"))])
            let afterFailover = ContinuousClock.now + .seconds(30)
            while !received.contains(third), ContinuousClock.now < afterFailover {
                received += try await edge.fetchDeltas().flatMap(\.deltas).map(\.key.techId)
            }
            #expect(received.contains(third), "after fail-over a center write on an active topic did not reach the edge")
            #expect(!received.contains(fourth), "a topic nobody uses reached the edge")
            // A topic first used after fail-over is taken up by the new master's link.
            let late = try Edge(configuration: EdgeConfiguration(
                servers: [other.baseURL], clientId: "edge-e", schema: Fixtures.retailSchema, requestTimeout: .seconds(30), fetchWait: .milliseconds(500)
            ))
            let lateLoad = try await late.fullLoad(slice: "epsilon-topic")
            #expect(lateLoad.deltas.map(\.key.techId) == [fourth], "the new master did not subscribe to a newly used topic")
        } catch {
            for process in processes { if let text = try? String(contentsOf: process.logFile, encoding: .utf8) { print("--- branch process log:\n\(text.suffix(4_000))") } }
            for process in processes { await process.stop() }
            await branch?.remove()
            await center.remove()
            throw error
        }
        for process in processes { await process.stop() }
        await branch?.remove()
        await center.remove()
    }

    /// A son of the proxy is served like its edges: its link's load adds its topics at the proxy.
    @Test(.heavy(timeLimit: .seconds(180)))
    func aSonOfTheProxyGetsItsTopics() async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["branch"], clients: ["checker"], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let branch = try await Self.selectiveBranch(father: center, sons: ["leaf"], clients: [])
            sites.append(branch)
            try await branch.start()
            let leaf = try await TreeSite(name: "leaf", backend: .sqlite, clients: ["checker"], father: (branch.baseURL, "leaf-topic"))
            sites.append(leaf)
            try await leaf.start()
            let writer = try center.appEdge()
            let early = UUID(), late = UUID()
            _ = try await writer.append([Samples.customerCreate(id: early, name: "L1", topics: try TopicsList(parsing: ",leaf-topic,"))])
            try await eventually("the leaf receives the topic through the proxy", timeout: .seconds(30)) {
                try await leaf.clientEdge("checker").fullLoad(slice: "leaf-topic").deltas.contains { $0.key.techId == early }
            }
            _ = try await writer.append([Samples.customerCreate(id: late, name: "L2", topics: try TopicsList(parsing: ",leaf-topic,"))])
            try await eventually("later center writes reach the leaf", timeout: .seconds(30)) {
                try await leaf.clientEdge("checker").fullLoad(slice: "leaf-topic").deltas.contains { $0.key.techId == late }
            }
        } catch {
            for site in sites { if let log = site.process?.logFile, let text = try? String(contentsOf: log, encoding: .utf8) { print("--- \(site.name) log:\n\(text.suffix(4_000))") } }
            for site in sites { await site.remove() }
            throw error
        }
        for site in sites { await site.remove() }
    }
}
