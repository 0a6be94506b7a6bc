import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// Issue 11 item 1 over HTTP: every request but the status GETs comes from an authenticated
/// client of the clients table; anonymous reads only where the site allows them; anonymous
/// writes never. Each refusal stores nothing.
@Suite struct RequestIdentityTests {
    @Test(arguments: TestStores.available)
    func writesAndReadsNeedAClientOfTheTable(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend, allowAnonymousReads: false) { store, baseURL in
            _ = try await store.addClient(id: "app", bit: nil)
            _ = try await store.addClient(id: "off", bit: nil)
            try await store.setClientDisabled(id: "off", disabled: true)
            let app = try Self.edge(baseURL, clientId: "app")
            try await Self.eventually { (try? await app.append([Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("A"))])) != nil }
            let before = try await store.lastSequence()

            // No id, an empty id, an unknown id, a disabled client: refused, nothing stored.
            let create = Self.appendBody(Fixtures.id(2))
            let remove = #"{"writes":[{"kind":"delete","class":"Customer","techId":"\#(Fixtures.id(1).uuidString)"}]}"#
            for body in [create, remove] {
                let none = try await Self.post(baseURL, "delta/append", body: body, clientId: nil)
                #expect(none.status == 401 && none.error == "NotAuthenticated", "\(none)")
                #expect(none.message.contains(ArborProtocol.Header.clientId), "the refusal names the header to send: \(none)")
                let empty = try await Self.post(baseURL, "delta/append", body: body, clientId: "")
                #expect(empty.status == 401 && empty.error == "NotAuthenticated", "\(empty)")
                let unknown = try await Self.post(baseURL, "delta/append", body: body, clientId: "stranger")
                #expect(unknown.status == 403 && unknown.error == "UnknownClient", "\(unknown)")
                let disabled = try await Self.post(baseURL, "delta/append", body: body, clientId: "off")
                #expect(disabled.status == 403 && disabled.error == "ClientDisabled", "\(disabled)")
            }
            #expect(try await store.lastSequence() == before, "a refused append committed a transaction")
            #expect(try await store.entities([EntityKey("Customer", Fixtures.id(2))]).isEmpty, "a refused append created an entity")
            let kept = try await store.entities([EntityKey("Customer", Fixtures.id(1))])
            #expect(kept.count == 1 && kept.first?.isDeleted == false, "a refused delete deleted the entity")

            // Reads: an anonymous fetch is refused by default; an unknown client's too.
            let fetch = #"{"fromSequence":0,"slice":"A","registered":false,"waitMilliseconds":0}"#
            let anonymousFetch = try await Self.post(baseURL, "delta/fetch", body: fetch, clientId: nil)
            #expect(anonymousFetch.status == 401 && anonymousFetch.error == "NotAuthenticated", "\(anonymousFetch)")
            let strangerFetch = try await Self.post(baseURL, "delta/fetch", body: fetch, clientId: "stranger")
            #expect(strangerFetch.status == 403 && strangerFetch.error == "UnknownClient", "\(strangerFetch)")
            let appFetch = try await Self.post(baseURL, "delta/fetch", body: fetch, clientId: "app")
            #expect(appFetch.status == 200, "\(appFetch)")
            // The plain status GET needs no client.
            let status = try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/arbor/1/delta"), timeout: .seconds(30))
            #expect(status.status.code == 200)
        }
    }

    @Test(arguments: TestStores.available)
    func anonymousReadsOnlyWhenAllowedAndAnonymousWritesNever(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend, allowAnonymousReads: true) { store, baseURL in
            let before = try await store.lastSequence()
            let fetch = #"{"fromSequence":0,"slice":"A","registered":false,"waitMilliseconds":0}"#
            let anonymousFetch = try await Self.post(baseURL, "delta/fetch", body: fetch, clientId: nil)
            #expect(anonymousFetch.status == 200, "\(anonymousFetch)")
            let registered = #"{"fromSequence":0,"slice":"A","registered":true,"waitMilliseconds":0}"#
            let anonymousRegistered = try await Self.post(baseURL, "delta/fetch", body: registered, clientId: nil)
            #expect(anonymousRegistered.status == 401 && anonymousRegistered.error == "NotAuthenticated", "\(anonymousRegistered)")
            let load = try await Self.post(baseURL, "cache/full-load", body: #"{"slice":"A"}"#, clientId: nil)
            #expect(load.status == 401 && load.error == "NotAuthenticated", "\(load)")
            let append = try await Self.post(baseURL, "delta/append", body: Self.appendBody(Fixtures.id(3)), clientId: nil)
            #expect(append.status == 401 && append.error == "NotAuthenticated", "\(append)")
            #expect(try await store.lastSequence() == before, "an anonymous append committed a transaction")
            #expect(try await store.entities([EntityKey("Customer", Fixtures.id(3))]).isEmpty)
        }
    }

    static func appendBody(_ id: UUID) -> String {
        #"{"writes":[{"kind":"create","class":"Customer","techId":"\#(id.uuidString)","topics":",A,","fields":{"name":"x"}}]}"#
    }

    static func edge(_ baseURL: String, clientId: String) throws -> Edge {
        try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: clientId, schema: Fixtures.retailSchema))
    }

    /// Runs `body` against an in-process site over HTTP on a free loopback port; always stops it.
    static func withSite(
        _ backend: TestStores.Backend, allowAnonymousReads: Bool, _ body: (any SiteStore, String) async throws -> Void
    ) async throws {
        let place = try TestStores.place(backend)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "center")
        let logger = Logger(label: "test.identity", factory: { _ in SwiftLogNoOpLogHandler() })
        var settings = SiteServerSettings()
        settings.allowAnonymousReads = allowAnonymousReads
        let context = SiteContext.standard(settings: settings, store: store, connectedToCenter: { true }, logger: logger)
        try await InProcessHTTPSite.serving(context, store: store, place: place, logger: logger) { baseURL in
            try await body(store, baseURL)
        }
    }

    /// A JSON POST to `/arbor/1/<path>`, with the client id header when given.
    static func post(_ baseURL: String, _ path: String, body: String, clientId: String?) async throws -> (status: Int, error: String?, message: String) {
        var request = HTTPClientRequest(url: baseURL + "/arbor/1/" + path)
        request.method = .POST
        if let clientId { request.headers.add(name: ArborProtocol.Header.clientId, value: clientId) }
        request.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json["error"] as? String, json["message"] as? String ?? "")
    }

    /// Retries `condition` until it holds (the site reads the clients table by polling); wide bound.
    static func eventually(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw TestStoreError("the site did not see the clients table change") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
