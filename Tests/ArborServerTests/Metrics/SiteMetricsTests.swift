import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Testing

/// Issue 13 item 2 over HTTP: the series of a site's `/metrics` move with what the site does.
@Suite struct SiteMetricsTests {
    static let site = ["site": "center"]

    @Test(arguments: TestStores.available)
    func appendedRoutedAndDeliveredDeltasAndTheLogSequenceMove(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend) { store, baseURL, _ in
            _ = try await store.addClient(id: "app", bit: nil)
            try await RequestIdentityTests.eventually { (try? await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "app").status) == 200 }
            let before = try await MetricsScrape.scrape(baseURL)
            let count = 3
            let append = try await Self.post(baseURL, "delta/append", Self.creates(1...count), client: "app")
            #expect(append.status == 200, "\(append)")
            let fetched = try await Self.post(baseURL, "delta/fetch", Self.fetch(Int(before.count("arbor_log_sequence", Self.site))), client: "app")
            #expect(fetched.status == 200, "\(fetched)")
            let after = try await MetricsScrape.scrape(baseURL)
            let last = try await store.lastSequence()
            #expect(after.value("arbor_log_sequence", Self.site) == Double(last), "\(after)")
            #expect(after.count("arbor_deltas_appended_total", Self.site) - before.count("arbor_deltas_appended_total", Self.site) == Double(count), "\(after)")
            #expect(after.count("arbor_transactions_appended_total", Self.site) - before.count("arbor_transactions_appended_total", Self.site) == 1)
            #expect(after.count("arbor_deltas_delivered_total", Self.site) - before.count("arbor_deltas_delivered_total", Self.site) == Double(count), "\(after)")
            #expect(after.count("arbor_deltas_routed_total", Self.site) - before.count("arbor_deltas_routed_total", Self.site) == Double(count), "\(after)")
        }
    }

    @Test func anOpenLongPollIsCountedUntilItAnswers() async throws {
        try await Self.withSite(.sqlite) { store, baseURL, _ in
            _ = try await store.addClient(id: "app", bit: nil)
            try await RequestIdentityTests.eventually { (try? await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "app").status) == 200 }
            let start = try await store.lastSequence()
            #expect(try await MetricsScrape.scrape(baseURL).value("arbor_open_fetches", Self.site) == 0)
            let poll = Task { try await Self.post(baseURL, "delta/fetch", Self.fetch(Int(start), waitMilliseconds: 60_000), client: "app") }
            try await eventually("the long poll is counted open") { try await MetricsScrape.scrape(baseURL).value("arbor_open_fetches", Self.site) == 1 }
            // A write ends the long poll with it.
            #expect(try await Self.post(baseURL, "delta/append", Self.creates(1...1), client: "app").status == 200)
            #expect(try await poll.value.status == 200)
            try await eventually("the answered long poll is no longer counted") { try await MetricsScrape.scrape(baseURL).value("arbor_open_fetches", Self.site) == 0 }
        }
    }

    @Test func wrongSecretsAndUnknownClientsAreCountedAndLoggedWithTheClientAndAddress() async throws {
        let logs = LogLines()
        try await Self.withSite(.sqlite, logs: logs) { store, baseURL, context in
            let hash = ClientSecret.hash("right-secret", salt: ClientSecret.randomSalt(), iterations: 1_000)
            _ = try await store.addClient(id: "shop", bit: nil, secretHash: hash)
            // Waits in process: a request sent before the site knows 'shop' would itself be
            // counted and logged as an unknown client (and use up the per-address log line).
            try await RequestIdentityTests.eventually { (try? context.authority.inProcess("shop")) != nil }
            let wrong = try await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "shop", secret: "guess")
            #expect(wrong.status == 401, "\(wrong)")
            let missing = try await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "shop")
            #expect(missing.status == 401, "\(missing)")
            let unknown = try await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "stranger")
            #expect(unknown.status == 403, "\(unknown)")
            let scrape = try await MetricsScrape.scrape(baseURL)
            let failures = "arbor_authentication_failures_total"
            #expect(scrape.count(failures, ["site": "center", "code": "NotAuthenticated"]) == 2, "\(scrape)")
            #expect(scrape.count(failures, ["site": "center", "code": "UnknownClient"]) == 1, "\(scrape)")
            #expect(scrape.count("arbor_errors_total", ["site": "center", "code": "NotAuthenticated"]) == 2, "\(scrape)")
            #expect(scrape.count("arbor_errors_total", ["site": "center", "code": "UnknownClient"]) == 1, "\(scrape)")
            let warnings = logs.lines.filter { $0.level == .warning }.map(\.message)
            #expect(warnings.contains { $0.hasPrefix("wrong secret for client 'shop' from 127.0.0.1") }, "\(warnings)")
            #expect(warnings.contains { $0.hasPrefix("no secret for client 'shop' from 127.0.0.1") }, "\(warnings)")
            #expect(warnings.contains { $0.hasPrefix("unknown client id for client 'stranger' from 127.0.0.1") }, "\(warnings)")
            // Rate-limited: the same refusal again within the interval writes no second line.
            _ = try await Self.post(baseURL, "delta/fetch", Self.fetch(0), client: "stranger")
            #expect(logs.lines.filter { $0.message.contains("'stranger'") }.count == 1, "\(logs.lines.map(\.message))")
        }
    }

    @Test func loadsAreTimedByKind() async throws {
        try await Self.withSite(.sqlite) { store, baseURL, _ in
            _ = try await store.addClient(id: "app", bit: nil)
            try await RequestIdentityTests.eventually { (try? await Self.post(baseURL, "cache/full-load", #"{"slice":"A"}"#, client: "app").status) == 200 }
            let before = try await MetricsScrape.scrape(baseURL)
            #expect(try await Self.post(baseURL, "cache/full-load", #"{"slice":"A"}"#, client: "app").status == 200)
            let refused = try await Self.post(baseURL, "cache/full-load", #"{"slice":"A+"}"#, client: "app")
            #expect(refused.error == "SliceSyntax", "\(refused)")
            let after = try await MetricsScrape.scrape(baseURL)
            let answered = ["site": "center", "kind": "full", "outcome": "answered"]
            #expect(after.count("arbor_load_duration_seconds_count", answered) - before.count("arbor_load_duration_seconds_count", answered) == 1, "\(after)")
            #expect(after.count("arbor_load_duration_seconds_count", ["site": "center", "kind": "full", "outcome": "refused"]) == 1, "\(after)")
            #expect(after.value("arbor_load_duration_seconds_bucket", answered.merging(["le": "+Inf"]) { $1 }) != nil, "\(after)")
        }
    }

    // MARK: Support

    static func fetch(_ from: Int, waitMilliseconds: Int = 0) -> String {
        #"{"fromSequence":\#(from),"slice":"A","registered":false,"waitMilliseconds":\#(waitMilliseconds)}"#
    }

    static func creates(_ ids: ClosedRange<Int>) -> String {
        let writes = ids.map { #"{"kind":"create","class":"Customer","techId":"\#(Fixtures.id($0).uuidString)","topics":",A,","fields":{"name":"x","vip":false}}"# }
        return #"{"writes":[\#(writes.joined(separator: ","))]}"#
    }

    /// Runs `body` against an in-process site over HTTP whose log goes to `logs`; always stops it.
    static func withSite(
        _ backend: TestStores.Backend, logs: LogLines = LogLines(), _ body: (any SiteStore, String, SiteContext) async throws -> Void
    ) async throws {
        let place = try TestStores.place(backend)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "center")
        let logger = Logger(label: "test.metrics", factory: { _ in logs })
        let context = SiteContext.standard(settings: SiteServerSettings(), store: store, connectedToCenter: { true }, logger: logger)
        try await InProcessHTTPSite.serving(context, store: store, place: place, logger: logger) { baseURL in
            try await body(store, baseURL, context)
        }
    }

    /// A JSON POST to `/arbor/1/<path>` as `client` (with `secret` when given).
    static func post(_ baseURL: String, _ path: String, _ body: String, client: String, secret: String? = nil) async throws -> (status: Int, error: String?, message: String) {
        var request = HTTPClientRequest(url: baseURL + "/arbor/1/" + path)
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: client)
        if let secret { request.headers.add(name: ArborProtocol.Header.clientSecret, value: secret) }
        request.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        request.headers.add(name: "Accept", value: ArborProtocol.jsonMediaType)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json["error"] as? String, json["message"] as? String ?? "")
    }
}
