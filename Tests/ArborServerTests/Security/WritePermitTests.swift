import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// Issue 11 item 2: the permits decide writes too. A client may change an entity only when
/// every topic it has — as stored now and as the write leaves it — is one it may write; one
/// refused write refuses the whole append and stores nothing.
@Suite struct WritePermitTests {
    /// `east-shop` reads and writes `east`; `west-shop` writes `west`; `auditor` reads both and
    /// writes only `east`; `stranger` is a client of the table the permits file does not list.
    static let permitsFile = #"""
        {"east-shop": ["east"], "west-shop": ["west", "secret-topic"],
         "auditor": {"read": ["east", "west"], "write": ["east"]}}
        """#

    struct Site {
        let store: any SiteStore
        let server: DeltaServer

        func append(_ clientId: String, _ writes: EntityWrite...) async throws -> AppendResponse {
            try await server.append(writes, client: server.inProcessClient(clientId))
        }

        /// The append's refusal code and message; nil when it was applied.
        func refusal(_ clientId: String, _ writes: EntityWrite...) async throws -> ServerError? {
            do {
                _ = try await server.append(writes, client: server.inProcessClient(clientId))
                return nil
            } catch let error as ServerError {
                return error
            }
        }

        func customer(_ n: Int) async throws -> EntityState? {
            try await store.entities([EntityKey("Customer", Fixtures.id(n))]).first
        }
    }

    static func withSite(_ backend: TestStores.Backend, permits: String = permitsFile, _ body: (Site) async throws -> Void) async throws {
        let permit = try TopicsPermitFile.parse(Data(permits.utf8), named: "permits.json")
        try await TestStores.withStore(backend) { store in
            let logger = Logger(label: "arbor.test.permits", factory: { _ in SwiftLogNoOpLogHandler() })
            let context = SiteContext.standard(settings: SiteServerSettings(), store: store, permit: permit, connectedToCenter: { true }, logger: logger)
            for client in ["east-shop", "west-shop", "auditor", "stranger"] { _ = try await store.addClient(id: client, bit: nil) }
            try await context.clients.refresh()
            try await body(Site(store: store, server: DeltaServer(context: context)))
        }
    }

    static func update(_ n: Int, topics: TopicsList? = nil, name: String = "changed") -> EntityWrite {
        EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(n), topics: topics, fields: ["name": .text(name)])
    }

    static func expectNotPermitted(_ error: ServerError?, naming topic: String, _ n: Int, _ what: Comment) {
        #expect(error?.code == .notPermitted, what)
        #expect(error?.code.httpStatus == 403, what)
        let message = error?.message ?? ""
        #expect(message.contains(Fixtures.id(n).uuidString) && message.contains("'\(topic)'") && message.contains("permits file"), "\(what): \(message)")
    }

    @Test(arguments: TestStores.available)
    func aCreateIntoAnUnwritableTopicIsRefusedAndStoresNothing(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend) { site in
            let before = try await site.store.lastSequence()
            let refused = try await site.refusal("east-shop", Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("west", "secret-topic")))
            Self.expectNotPermitted(refused, naming: "west", 1, "a create in ,west,secret-topic, by an east-only client")
            // Atomic: a permitted create in the same append is not applied either.
            let mixed = try await site.refusal(
                "east-shop", Samples.customerCreate(id: Fixtures.id(2), topics: Fixtures.topics("east")),
                Samples.customerCreate(id: Fixtures.id(3), topics: Fixtures.topics("east", "west"))
            )
            Self.expectNotPermitted(mixed, naming: "west", 3, "a create in ,east,west,")
            let stored = [try await site.customer(1), try await site.customer(2), try await site.customer(3)].compactMap { $0 }
            #expect(stored.isEmpty, "a refused append stored an entity")
            #expect(try await site.store.lastSequence() == before, "a refused append committed a transaction")
        }
    }

    @Test(arguments: TestStores.available)
    func anEntityStoredInAnotherTopicCannotBeUpdatedDeletedOrPurged(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend) { site in
            _ = try await site.append("west-shop", Samples.customerCreate(id: Fixtures.id(1), name: "Wes", topics: Fixtures.topics("west")))
            let stored = try #require(try await site.customer(1))
            let before = try await site.store.lastSequence()
            let attempts: [(String, EntityWrite)] = [
                ("an update that keeps the topics", Self.update(1)),
                ("an update that moves it into east", Self.update(1, topics: Fixtures.topics("east"))),
                ("a delete", EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(1))),
                ("a purge", EntityWrite(.purge, entityClass: "Customer", techId: Fixtures.id(1))),
                ("a create over it", Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("east"))),
            ]
            for (what, write) in attempts {
                let refused = try await site.refusal("east-shop", write)
                Self.expectNotPermitted(refused, naming: "west", 1, "\(what) of a west entity by an east-only client")
                #expect(refused?.message.contains("stored now") == true, "\(what): \(refused?.message ?? "")")
            }
            #expect(try await site.customer(1) == stored, "a refused write changed the west entity")
            #expect(try await site.store.lastSequence() == before, "a refused write committed a transaction")
        }
    }

    @Test(arguments: TestStores.available)
    func movingAnEntityIntoAnUnwritableTopicIsRefused(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend) { site in
            _ = try await site.append("east-shop", Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("east")))
            let stored = try #require(try await site.customer(1))
            let before = try await site.store.lastSequence()
            for topics in [Fixtures.topics("west"), Fixtures.topics("east", "west")] {
                let refused = try await site.refusal("east-shop", Self.update(1, topics: topics))
                Self.expectNotPermitted(refused, naming: "west", 1, "a move to \(topics)")
                #expect(refused?.message.contains("would give it") == true, "\(refused?.message ?? "")")
            }
            let emptied = try await site.refusal("east-shop", Self.update(1, topics: .empty))
            #expect(emptied?.code == .notPermitted, "a restricted client may not leave an entity without topics")
            // The auditor reads west but may not write it.
            Self.expectNotPermitted(try await site.refusal("auditor", Self.update(1, topics: Fixtures.topics("west"))), naming: "west", 1, "the auditor's move to west")
            #expect(try await site.customer(1) == stored, "a refused move changed the entity")
            #expect(try await site.store.lastSequence() == before, "a refused move committed a transaction")
        }
    }

    @Test(arguments: TestStores.available)
    func permittedWritesStillWork(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend) { site in
            let created = try await site.append("east-shop", Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("east")))
            #expect(created.outcomes == ["created"])
            _ = try await site.append("auditor", Self.update(1, name: "Audited"))
            _ = try await site.append("east-shop", Self.update(1, name: "Eve"), Samples.customerCreate(id: Fixtures.id(2), topics: Fixtures.topics("east")))
            #expect(try await site.customer(1)?.fields["name"]?.value == .text("Eve"))
            _ = try await site.append("east-shop", EntityWrite(.delete, entityClass: "Customer", techId: Fixtures.id(1)))
            _ = try await site.append("east-shop", EntityWrite(.purge, entityClass: "Customer", techId: Fixtures.id(1)))
            let purged = try await site.customer(1), kept = try await site.customer(2)
            #expect(purged == nil && kept != nil)
            // West moves its own entity between its topics.
            _ = try await site.append("west-shop", Samples.customerCreate(id: Fixtures.id(3), topics: Fixtures.topics("west")))
            _ = try await site.append("west-shop", Self.update(3, topics: Fixtures.topics("west", "secret-topic")))
            #expect(try await site.customer(3)?.topics == Fixtures.topics("west", "secret-topic"))
            // The site's own process is not restricted by the permits file.
            _ = try await site.server.append([Samples.customerCreate(id: Fixtures.id(4), topics: Fixtures.topics("elsewhere"))], client: .local)
            #expect(try await site.customer(4) != nil)
        }
    }

    @Test(arguments: TestStores.available)
    func aFileWithoutWriteRulesWritesWhereItReads(backend: TestStores.Backend) async throws {
        try await Self.withSite(backend, permits: #"{"east-shop": ["east"], "auditor": []}"#) { site in
            _ = try await site.append("east-shop", Samples.customerCreate(id: Fixtures.id(1), topics: Fixtures.topics("east")))
            Self.expectNotPermitted(
                try await site.refusal("east-shop", Samples.customerCreate(id: Fixtures.id(2), topics: Fixtures.topics("west"))), naming: "west", 2,
                "an array entry writes only its topics"
            )
            let unlisted = try await site.refusal("stranger", Samples.customerCreate(id: Fixtures.id(3), topics: Fixtures.topics("east")))
            #expect(unlisted?.code == .notPermitted && unlisted?.message.contains("does not list this client") == true, "\(unlisted?.message ?? "")")
            let none = try await site.refusal("auditor", Self.update(1))
            #expect(none?.code == .notPermitted && none?.message.contains("it may write no topic") == true, "\(none?.message ?? "")")
            let second = try await site.customer(2), third = try await site.customer(3)
            #expect(second == nil && third == nil, "a refused append stored an entity")
            #expect(try await site.customer(1)?.fields["name"]?.value == .text("Ada"))
        }
    }

    /// Over HTTP, the refusal is the JSON error format with 403 `NotPermitted`.
    @Test func aRefusedAppendIsAJSONNotPermittedOverHTTP() async throws {
        let place = try TestStores.place(.sqlite)
        let store = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "center")
        let logger = Logger(label: "arbor.test.permits", factory: { _ in SwiftLogNoOpLogHandler() })
        let permit = try TopicsPermitFile.parse(Data(Self.permitsFile.utf8), named: "permits.json")
        let context = SiteContext.standard(settings: SiteServerSettings(), store: store, permit: permit, connectedToCenter: { true }, logger: logger)
        _ = try await store.addClient(id: "east-shop", bit: nil)
        try await context.clients.refresh()
        try await InProcessHTTPSite.serving(context, store: store, place: place, logger: logger) { baseURL in
            var request = HTTPClientRequest(url: "\(baseURL)/arbor/1/delta/append")
            request.method = .POST
            request.headers.add(name: ArborProtocol.Header.clientId, value: "east-shop")
            request.body = .bytes(ByteBuffer(string: #"""
                {"writes":[{"kind":"create","class":"Customer","techId":"00000000-0000-4000-8000-000000000001","topics":",west,secret-topic,","fields":{"name":"Ada","vip":false}}]}
                """#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
            #expect(response.status.code == 403)
            #expect(json["error"] as? String == "NotPermitted")
            let message = json["message"] as? String ?? ""
            #expect(message.contains("00000000-0000-4000-8000-000000000001") && message.contains("'west'") && message.contains("\"write\" list"), "\(message)")
            #expect(try await store.entities([EntityKey("Customer", Fixtures.id(1))]).isEmpty, "the refused append stored the entity")
            #expect(try await store.lastSequence() == 0)
        }
    }
}
