import ArborCore
import ArborTesting
import Foundation
import Testing

/// The status page in a real headless browser (Chromium from Debian's packages): a running
/// center with a son, the page's script run (`--virtual-time-budget`), the DOM checked and a
/// screenshot kept under `.build/test-artifacts/`. CI sets `ARBOR_TEST_BROWSER`; without it
/// the test fails under CI and is skipped only on a developer's machine.
@Suite(.serialized, .heavy) struct StatusPageBrowserTests {
    static let browser = ProcessInfo.processInfo.environment["ARBOR_TEST_BROWSER"]
    static let runsInCI = ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.heavy(timeLimit: .seconds(240)))
    func thePageShowsTheSonConnectedItsLagAndTheClients() async throws {
        guard let browser = Self.browser, !browser.isEmpty else {
            #expect(!Self.runsInCI, "CI must set ARBOR_TEST_BROWSER to Chromium (`apt-get install chromium`; .ci/run does)")
            print("StatusPageBrowserTests: skipped: set ARBOR_TEST_BROWSER=/usr/bin/chromium to load the status page in a headless browser")
            return
        }
        #expect(FileManager.default.isExecutableFile(atPath: browser), "ARBOR_TEST_BROWSER '\(browser)' is not an executable")
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["east"], clients: ["watcher"], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, clients: [], father: (center.baseURL, "east"))
            sites.append(east)
            try await east.start()
            let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: ",east,"),
                                    fields: ["name": .text("shown"), "vip": .bool(false)])
            _ = try await center.appEdge().append([write])
            try await eventually("east connected at the center, caught up, with a report") {
                let son = try await StatusFetch.report(center).sons.first { $0.clientId == "east" }
                return son?.connected == true && son?.lagSequences == 0 && son?.reportAgeSeconds != nil
            }
            // A few lag samples for the chart.
            try await Task.sleep(for: .seconds(5))

            let page = center.baseURL + "/arbor/1/status"
            let dom = try await Self.chromium(browser, ["--dump-dom", page])
            let sons = try Self.element("sons", in: dom)
            #expect(sons.contains("<td>east</td>"), "\(sons)")
            #expect(sons.contains("<td class=\"ok\">yes</td>"), "the son is shown connected: \(sons)")
            #expect(sons.contains("<td>0</td>") && sons.contains("0.0 s"), "the son's lag figures: \(sons)")
            let clients = try Self.element("clients", in: dom)
            for client in ["east", "watcher", TreeSite.appClient] { #expect(clients.contains("<td>\(client)</td>"), "\(client) in \(clients)") }
            let connected = try Self.element("connected", in: dom)
            #expect(connected.contains("(east)*!arbor.notson.east"), "the son's slice: \(connected)")
            let tree = try Self.element("tree", in: dom)
            #expect(tree.contains("└─ east  connected"), "\(tree)")
            #expect(dom.contains("<polyline"), "the lag chart has a line")
            #expect(dom.contains("sequence 1 · connected to center"), "the summary line")

            let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/test-artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appendingPathComponent("status-page-center.png")
            try? FileManager.default.removeItem(at: screenshot)
            _ = try await Self.chromium(browser, ["--screenshot=\(screenshot.path)", "--window-size=1280,1300", page])
            let png = try Data(contentsOf: screenshot)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a PNG screenshot of \(png.count) bytes")
            print("StatusPageBrowserTests: screenshot of the center's status page: \(screenshot.path)")
        } catch {
            for site in sites { print("\(site.name) log:\n\(site.process?.output.suffix(3_000) ?? "")") }
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }

    /// Runs headless Chromium on `arguments` (its own profile; the page's script gets 5 s of
    /// virtual time) and answers what it printed; killed after 120 s.
    static func chromium(_ browser: String, _ arguments: [String]) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let output = profile.appendingPathExtension("out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                             "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw TestStoreError("chromium did not finish within 120 s: \(arguments)")
        }
        guard process.terminationStatus == 0 else { throw TestStoreError("chromium exited with \(process.terminationStatus): \(arguments)") }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// The element with `id` in `dom` up to its closing tag (tables and pre hold no nested ones of their kind).
    static func element(_ id: String, in dom: String) throws -> String {
        guard let start = dom.range(of: "id=\"\(id)\"") else { throw TestStoreError("no element '\(id)' in the page: \(dom.prefix(2_000))") }
        let rest = dom[start.lowerBound...]
        let end = ["</table>", "</pre>"].compactMap { rest.range(of: $0)?.upperBound }.min() ?? rest.endIndex
        return String(rest[..<end])
    }
}
