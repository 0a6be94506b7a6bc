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

/// Issue 6 over HTTP: a client with a stored secret hash must send its secret; each refusal
/// (unknown, disabled, missing secret, wrong secret, unpermitted slice) has its own code, and a
/// refused append or upload applies nothing.
@Suite struct ClientAuthenticationTests {
    static let secret = "correct-horse-battery-staple"

    @Test(arguments: TestStores.available)
    func everyRefusalHasItsCodeAndAppliesNothing(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "center")
        let logger = Logger(label: "test.auth", factory: { _ in SwiftLogNoOpLogHandler() })
        let plugs = LoggingPlugs(logger: logger)
        let context = SiteContext(
            settings: SiteServerSettings(), store: store, entities: EntitiesSubsystem(store: store), logTail: LogTail(store: store, logger: logger),
            registrations: RegistrationTable(store: store), clients: ClientDirectory(store: store, logger: logger),
            objectsReader: StoreObjectsReader(store: store), cacheNotifier: plugs, control: plugs,
            permit: TopicsPermit(["open": ["A"], "locked": ["A"], "off": ["A"]]), connectedToCenter: { true }, logger: logger
        )
        try await InProcessHTTPSite.serving(context, store: store, place: place, logger: logger) { baseURL in
            try await Self.check(store: store, context: context, baseURL: baseURL)
        }
    }

    private static func check(store: any SiteStore, context: SiteContext, baseURL: String) async throws {
        _ = try await store.addClient(id: "open", bit: nil)
        _ = try await store.addClient(id: "locked", bit: nil, role: .son)
        _ = try await store.addClient(id: "off", bit: nil)
        // Few iterations keep the test fast; the format and check are the production ones.
        try await store.setClientSecretHash(id: "locked", hash: ClientSecret.hash(secret, salt: ClientSecret.randomSalt(), iterations: 1_000))
        try await store.setClientDisabled(id: "off", disabled: true)
        try await eventually { context.clients.client("locked")?.secretHash != nil && context.clients.client("off")?.isDisabled == true }

        func edge(_ clientId: String, secret: String? = nil) throws -> Edge {
            try Edge(configuration: EdgeConfiguration(servers: [baseURL], clientId: clientId, clientSecret: secret, schema: Fixtures.retailSchema))
        }
        func absent(_ n: Int) async throws -> Bool {
            try await store.entities([EntityKey("Customer", Fixtures.id(n))]).isEmpty
        }

        // A correct secret works for appends and loads.
        let locked = try edge("locked", secret: secret)
        _ = try await locked.append([Samples.customerCreate(id: Fixtures.id(1))])
        #expect(try await locked.fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(1)])
        // A row without a hash needs no secret (trusted networks).
        #expect(try await edge("open").fullLoad(slice: "A").deltas.map(\.techId) == [Fixtures.id(1)])

        let before = try await store.lastSequence()
        var codes: [ArborErrorCode: String] = [:]
        let missing = await edgeErrorCode { _ = try await edge("locked").append([Samples.customerCreate(id: Fixtures.id(2))]) }
        #expect(missing == .notAuthenticated)
        codes[missing ?? .internalError] = "missing secret"
        let wrong = await edgeErrorCode { _ = try await edge("locked", secret: "wrong").append([Samples.customerCreate(id: Fixtures.id(3))]) }
        #expect(wrong == .notAuthenticated)
        let wrongLoad = await edgeErrorCode { _ = try await edge("locked", secret: "wrong").fullLoad(slice: "A") }
        let missingFetch = await edgeErrorCode { _ = try await edge("locked").digests(slice: "A") }
        #expect(wrongLoad == .notAuthenticated && missingFetch == .notAuthenticated)
        let twoAbsent = try await absent(2), threeAbsent = try await absent(3)
        #expect(twoAbsent && threeAbsent, "a refused append applied its writes")
        #expect(try await store.lastSequence() == before, "a refused append committed a transaction")

        let unknown = await edgeErrorCode { _ = try await edge("stranger").fullLoad(slice: "A") }
        let disabled = await edgeErrorCode { _ = try await edge("off").fullLoad(slice: "A") }
        let unpermitted = await edgeErrorCode { _ = try await edge("open").fullLoad(slice: "B") }
        #expect(unknown == .unknownClient)
        #expect(disabled == .clientDisabled)
        #expect(unpermitted == .notPermitted)
        #expect(Set([missing, unknown, disabled, unpermitted]).count == 4, "each refusal has its own code")
        #expect(ArborErrorCode.notAuthenticated.httpStatus == 401)

        // Uploads (a son's link): refused without applying, then accepted with the secret.
        let body = try uploadBody(4)
        let refused = try await upload(baseURL, body: body, secret: "wrong")
        #expect(refused.status == 401 && refused.error == "NotAuthenticated", "\(refused)")
        #expect(try await absent(4), "a refused upload applied its writes")
        let noSecret = try await upload(baseURL, body: body, secret: nil)
        #expect(noSecret.status == 401 && noSecret.error == "NotAuthenticated", "\(noSecret)")
        let accepted = try await upload(baseURL, body: body, secret: secret)
        #expect(accepted.status == 200, "\(accepted)")
        let fourAbsent = try await absent(4)
        #expect(!fourAbsent, "an authenticated upload applies")
    }


    private static func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestStoreError("the site did not see the clients table change") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A son's log buffer creating Customer `n` (father topic first), encoded for an upload.
    private static func uploadBody(_ n: Int) throws -> [UInt8] {
        var delta = try LocalWrite.delta(
            for: Samples.customerCreate(id: Fixtures.id(n), name: "s\(n)"), existing: nil,
            at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
        )
        delta.topics = Fixtures.topics("#arbor.father", "A")
        return try DeltaBufferCodec.encode(Samples.buffer([delta], sequence: 2, schemaName: Fixtures.retailSchema.name, origin: "locked"), schema: Fixtures.retailSchema)
    }

    private static func upload(_ baseURL: String, body: [UInt8], secret: String?) async throws -> (status: Int, error: String?) {
        var request = HTTPClientRequest(url: baseURL + "/arbor/1/delta/upload")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: "locked")
        if let secret { request.headers.add(name: ArborProtocol.Header.clientSecret, value: secret) }
        request.headers.add(name: ArborProtocol.Header.schemaName, value: Fixtures.retailSchema.name)
        request.headers.add(name: ArborProtocol.Header.protocolVersion, value: String(ArborProtocol.version))
        request.headers.add(name: ArborProtocol.Header.sequence, value: "2")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json["error"] as? String)
    }
}
