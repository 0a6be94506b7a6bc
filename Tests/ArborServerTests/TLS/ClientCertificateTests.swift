@testable import arbor
import ArborCore
import ArborEdge
import ArborTesting
import ArborServer
import AsyncHTTPClient
import Foundation
import Testing

/// Client authentication by TLS certificate (issue 6), with real processes on 127.0.0.1: a site
/// with `tlsClientCAFile` accepts only clients presenting a certificate its client CA signed,
/// and a certificate authenticates the client its common name names.
@Suite(.serialized, .heavy) struct ClientCertificateTests {
    static func customer(_ id: UUID, topics: String = ",shared,") throws -> EntityWrite {
        EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics),
                    fields: ["name": .text("by certificate"), "vip": .bool(false)])
    }

    static func client(trusting caFile: String, presenting certificate: (certificateFile: String, keyFile: String)?) throws -> HTTPClient {
        let identity = try certificate.map { try EdgeClientCertificate.load(certificateFile: $0.certificateFile, keyFile: $0.keyFile) }
        let configuration = Edge.failoverClientConfiguration(trustRoots: try EdgeTrustRoots.load(file: caFile), clientCertificate: identity)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    @Test func clientCertificateSettingsAreCheckedWithClearMessages() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        var plain = ServeConfiguration()
        try plain.apply(environment: ["ARBOR_PLAIN_HTTP": "true", "ARBOR_TLS_CLIENT_CA_FILE": authority.caFile])
        let needsTLS = #expect(throws: ServeConfigurationError.self) { try plain.listenerTLS() }
        #expect(needsTLS?.description.contains("tlsClientCAFile needs TLS") == true, "\(needsTLS?.description ?? "")")

        var unreadable = ServeConfiguration()
        unreadable.tlsCertificateFile = authority.certificateFile
        unreadable.tlsKeyFile = authority.keyFile
        unreadable.tlsClientCAFile = "/nonexistent/ca.pem"
        let badCA = #expect(throws: ServeConfigurationError.self) { try unreadable.listenerTLS() }
        #expect(badCA?.description.contains("/nonexistent/ca.pem") == true, "\(badCA?.description ?? "")")

        var valid = unreadable
        valid.tlsClientCAFile = authority.caFile
        #expect(try valid.listenerTLS()?.requiresClientCertificates == true)
        valid.tlsClientCAFile = nil
        #expect(try valid.listenerTLS()?.requiresClientCertificates == false)

        var halfFather = ServeConfiguration()
        halfFather.fatherClientCertificateFile = authority.certificateFile
        let half = #expect(throws: ServeConfigurationError.self) { try halfFather.fatherClientCertificate() }
        #expect(half?.description.contains("go together") == true, "\(half?.description ?? "")")
    }

    @Test(.heavy(timeLimit: .seconds(120)))
    func aCertificateAuthenticatesTheClientItNames() async throws {
        let authority = try await TestCertificateAuthority.make()
        let stranger = try await TestCertificateAuthority.make()
        defer { authority.remove(); stranger.remove() }
        let shop = try await authority.issueClientCertificate(commonName: "shop")
        let other = try await authority.issueClientCertificate(commonName: "other")
        let foreign = try await stranger.issueClientCertificate(commonName: "shop")
        let site = try await TLSSite.start(
            name: "center", clients: ["shop", "other"],
            settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile, "tlsClientCAFile": authority.caFile]
        )
        let clients = [
            try Self.client(trusting: authority.caFile, presenting: shop), try Self.client(trusting: authority.caFile, presenting: other),
            try Self.client(trusting: authority.caFile, presenting: foreign), try Self.client(trusting: authority.caFile, presenting: nil),
        ]
        do {
            // Its own certificate: served (the client has no secret).
            let shopEdge = try site.edge(clientId: "shop", caFile: authority.caFile, client: clients[0])
            let first = UUID()
            _ = try await shopEdge.append([Self.customer(first)])
            #expect(try await shopEdge.fullLoad(slice: "shared").deltas.map(\.techId) == [first])

            // Another client's certificate naming "shop": NotAuthenticated, and nothing applied.
            let impostor = try site.edge(clientId: "shop", caFile: authority.caFile, client: clients[1])
            let refused = await #expect(throws: EdgeError.self) { _ = try await impostor.append([Self.customer(UUID())]) }
            #expect(refused?.code == .notAuthenticated)
            #expect(refused?.message.contains("a certificate for 'other'") == true, "message: \(refused?.message ?? "")")
            #expect(try await shopEdge.fullLoad(slice: "shared").deltas.count == 1, "a refused append was applied")

            // A certificate from another CA, or none: the handshake fails, nothing is served.
            for (client, what) in [(clients[2], "another CA's certificate"), (clients[3], "no certificate")] {
                let edge = try site.edge(clientId: "shop", caFile: authority.caFile, client: client, requestTimeout: .seconds(30))
                let failure = await #expect(throws: EdgeError.self, "\(what)") { _ = try await edge.status(server: .delta) }
                #expect(failure?.code == .unreachable, "\(what): \(String(describing: failure))")
            }
        } catch {
            for client in clients { try? await client.shutdown() }
            await site.remove()
            throw error
        }
        for client in clients { try await client.shutdown() }
        await site.remove()
    }

    @Test(.heavy(timeLimit: .seconds(120)))
    func aSonLinksWithItsCertificate() async throws {
        let authority = try await TestCertificateAuthority.make()
        defer { authority.remove() }
        let branch = try await authority.issueClientCertificate(commonName: "branch")
        let center = try await TLSSite.start(
            name: "center", sons: ["branch"], clients: [],
            settings: ["tlsCertificateFile": authority.certificateFile, "tlsKeyFile": authority.keyFile, "tlsClientCAFile": authority.caFile]
        )
        var son: TLSSite?
        let writerClient = try Self.client(trusting: authority.caFile, presenting: branch)
        do {
            son = try await TLSSite.start(name: "branch", clients: ["reader"], settings: [
                "plainHTTP": true, "fatherServers": [center.baseURL], "fatherClientId": "branch", "fatherSlice": "shared",
                "fatherCAFile": authority.caFile, "fatherClientCertificateFile": branch.certificateFile, "fatherClientKeyFile": branch.keyFile,
            ])
            let id = UUID()
            _ = try await center.edge(caFile: authority.caFile, client: writerClient).append([Self.customer(id)])
            let reader = try Edge(configuration: EdgeConfiguration(
                servers: [son!.baseURL], clientId: "reader", useRegistration: true, schema: Fixtures.retailSchema, requestTimeout: .seconds(10)
            ))
            try await eventually("the center's write reaches the son over a certificate-authenticated link", timeout: .seconds(30)) {
                try await reader.fullLoad(slice: "shared").deltas.contains { $0.techId == id }
            }
        } catch {
            try? await writerClient.shutdown()
            await son?.remove()
            await center.remove()
            throw error
        }
        try await writerClient.shutdown()
        await son?.remove()
        await center.remove()
    }
}
