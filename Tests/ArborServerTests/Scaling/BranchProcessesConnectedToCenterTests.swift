import ArborCore
import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOFoundationCompat
import Testing

/// Issue 10 item 10 with real processes on loopback (§8.1, §8.2): a branch served by TWO
/// `arbor serve` processes on one database reports the link to the center the same in both,
/// master and the other, in its status and in every fetch and append answer
/// (`X-Arbor-Connected-To-Center`): connected soon after start (no long poll to wait out),
/// disconnected once the father is away, connected again when it returns. The bounds are wide
/// (the goal is one second); the test prints the times it saw.
@Suite(.serialized, .heavy) struct BranchProcessesConnectedToCenterTests {
    static let bound: Duration = .seconds(15)

    @Test(.heavy(timeLimit: .seconds(180)), arguments: TestStores.available)
    func everyProcessReportsTheLinkState(branchBackend: TestStores.Backend) async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["branch"], clients: [], father: nil)
        var branch: TreeSite?
        var relay: TCPRelay?
        var processes: [ServeProcess] = []
        do {
            try await center.start()
            let toCenter = try await TCPRelay.start(to: center.process?.port ?? 0)
            relay = toCenter
            let site = try await TreeSite(name: "branch", backend: branchBackend, clients: ["e1"], father: ("http://127.0.0.1:\(toCenter.port)", "branch"))
            branch = site
            let started = ContinuousClock.now
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            processes.append(try await ServeProcess.start(["--config", site.configFile.path]))
            let urls = processes.map(\.baseURL)
            try await eventually("exactly one process is the master", timeout: .seconds(60)) {
                let roles = await urls.asyncMap { await BranchProxyProcessesTests.isMaster($0) }
                return roles.filter { $0 == true }.count == 1 && roles.allSatisfy { $0 != nil }
            }

            try await Self.waitUntilEveryProcess(urls, reports: true, "connected after start")
            print("branch on \(branchBackend): both processes report connected \(ContinuousClock.now - started) after the first started")
            for url in urls { try await Self.expectAnswersSay(true, at: url) }

            toCenter.cut()
            let cutAt = ContinuousClock.now
            try await Self.waitUntilEveryProcess(urls, reports: false, "disconnected once the father is away")
            print("branch on \(branchBackend): both processes report disconnected \(ContinuousClock.now - cutAt) after the cut")
            for url in urls { try await Self.expectAnswersSay(false, at: url) }

            toCenter.heal()
            let healedAt = ContinuousClock.now
            try await Self.waitUntilEveryProcess(urls, reports: true, "connected again when the father returns")
            print("branch on \(branchBackend): both processes report connected \(ContinuousClock.now - healedAt) after the father returned")
            for url in urls { try await Self.expectAnswersSay(true, at: url) }
        } catch {
            for process in processes { await process.stop() }
            await relay?.stop()
            await branch?.remove()
            await center.remove()
            throw error
        }
        for process in processes { await process.stop() }
        await relay?.stop()
        await branch?.remove()
        await center.remove()
    }

    /// Waits (within ``bound``) until the status of every process says `connected`.
    static func waitUntilEveryProcess(_ urls: [String], reports connected: Bool, _ what: String) async throws {
        try await eventually("every process reports \(what)", timeout: bound) {
            await urls.asyncMap { await status($0) }.allSatisfy { $0 == connected }
        }
    }

    /// The status page's `connectedToCenter`; nil when the process does not answer.
    static func status(_ base: String) async -> Bool? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(base)/arbor/1/delta"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONDecoder().decode(StatusResponse.self, from: Data(buffer: body)).connectedToCenter
        } catch {
            return nil
        }
    }

    /// A load, a fetch and an append at `base` carry the same state in their headers (the edge reads them).
    static func expectAnswersSay(_ connected: Bool, at base: String) async throws {
        let edge = try Edge(configuration: EdgeConfiguration(servers: [base], clientId: "e1", schema: Fixtures.retailSchema, requestTimeout: .seconds(10)))
        _ = try await edge.fullLoad(slice: "branch")
        #expect(edge.connectedToCenter == connected, "load answer at \(base)")
        _ = try await edge.fetchDeltasOnce(waitMilliseconds: 0)
        #expect(edge.connectedToCenter == connected, "fetch answer at \(base)")
        let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: ",branch,"),
                                fields: ["name": .text("probe"), "vip": .bool(false)])
        let appender = try Edge(configuration: EdgeConfiguration(servers: [base], clientId: TreeSite.appClient, schema: Fixtures.retailSchema, requestTimeout: .seconds(10)))
        _ = try await appender.append([write])
        #expect(appender.connectedToCenter == connected, "append answer at \(base)")
    }
}
