import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 11 item 3, "any client can act as a son", over HTTP: only clients of the son role
/// upload; an upload's position moves only over buffers it carries; only uploads bring site
/// topics. Each refusal stores nothing.
@Suite struct SonRoleTests {
    struct Answer {
        var status: Int
        var json: [String: Any]
        var error: String? { json["error"] as? String }
        var message: String { json["message"] as? String ?? "" }
        var appliedThrough: Int64? { (json["appliedThrough"] as? NSNumber)?.int64Value }
    }

    static func post(_ site: LinkedSite, _ service: String, body: [UInt8], clientId: String, through: Int64? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/\(service)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: service == "upload" ? ArborProtocol.deltaBuffersMediaType : ArborProtocol.jsonMediaType)
        request.headers.add(name: ArborProtocol.Header.clientId, value: clientId)
        request.headers.add(name: ArborProtocol.Header.schemaName, value: Fixtures.retailSchema.name)
        request.headers.add(name: ArborProtocol.Header.protocolVersion, value: String(ArborProtocol.version))
        if let through { request.headers.add(name: ArborProtocol.Header.sequence, value: String(through)) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), json: json)
    }

    /// A son's create of Customer `n` as its log holds it (father topic first), encoded.
    static func sonCreate(_ n: Int, sequence: Int64) throws -> [UInt8] {
        var delta = try LocalWrite.delta(
            for: Samples.customerCreate(id: Fixtures.id(n), name: "s\(n)"), existing: nil,
            at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
        )
        delta.topics = Fixtures.topics("#arbor.father", "A")
        return try DeltaBufferCodec.encode(Samples.buffer([delta], sequence: sequence, origin: "branch1"), schema: Fixtures.retailSchema)
    }

    /// An empty buffer at `sequence`: how a son covers log sequences with nothing for its father.
    static func end(_ sequence: Int64) throws -> [UInt8] {
        try DeltaBufferCodec.encode(Samples.buffer([], sequence: sequence, origin: "branch1"), schema: Fixtures.retailSchema)
    }

    @Test("an application's upload and upload-position are refused (NotPermitted, naming --role son) and store nothing", arguments: TestStores.available)
    func anApplicationMayNotUpload(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"], clients: ["shop"])
        do {
            let body = try Self.sonCreate(1, sequence: 4)
            let upload = try await Self.post(site, "upload", body: body, clientId: "shop", through: 4)
            #expect(upload.status == 403 && upload.error == "NotPermitted", "\(upload.json)")
            #expect(upload.message.contains("--role son") && upload.message.contains("shop"), "the refusal names the fix: \(upload.message)")
            let position = try await Self.post(site, "upload-position", body: Array("{}".utf8), clientId: "shop")
            #expect(position.status == 403 && position.error == "NotPermitted", "\(position.json)")
            let huge = try await Self.post(site, "upload", body: [], clientId: "shop", through: .max)
            #expect(huge.status == 403 && huge.error == "NotPermitted", "\(huge.json)")
            #expect(try await site.store.lastSequence() == 0, "a refused upload committed a transaction")
            #expect(try await site.customer(Fixtures.id(1)) == nil, "a refused upload created an entity")
            #expect(try await site.position(LinkServer.appliedKey(son: "shop")) == nil, "a refused upload recorded a position")
            #expect(site.control.statuses(of: "son shop").isEmpty, "an application is never reported as a connected son")

            // The son itself is served.
            let son = try await Self.post(site, "upload", body: body, clientId: "b1", through: 4)
            #expect(son.status == 200 && son.appliedThrough == 4, "\(son.json)")
            #expect(try await site.field("name", of: Fixtures.id(1)) == .text("s1"))
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    @Test("an empty upload claiming Int64.max, or a claim beyond its buffers, is refused; later uploads still apply", arguments: TestStores.available)
    func thePositionMovesOnlyOverBuffersReceived(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"])
        do {
            let key = LinkServer.appliedKey(son: "b1")
            // The attack of the issue: no buffers, X-Arbor-Sequence Int64.max.
            let empty = try await Self.post(site, "upload", body: [], clientId: "b1", through: .max)
            #expect(empty.status == 400 && empty.error == "BadRequest", "\(empty.json)")
            #expect(try await site.position(key) == nil, "the refused claim moved the position")
            let beyond = try await Self.post(site, "upload", body: try Self.sonCreate(1, sequence: 3), clientId: "b1", through: .max)
            #expect(beyond.status == 400 && beyond.error == "BadRequest", "\(beyond.json)")
            #expect(beyond.message.contains(ArborProtocol.Header.sequence), "\(beyond.message)")
            #expect(try await site.position(key) == nil)
            #expect(try await site.customer(Fixtures.id(1)) == nil, "a refused upload applied its buffer")
            #expect(try await site.store.lastSequence() == 0)

            // An empty upload without a claim changes nothing and answers the position.
            let nothing = try await Self.post(site, "upload", body: [], clientId: "b1")
            #expect(nothing.status == 200 && nothing.appliedThrough == 0, "\(nothing.json)")

            // Real uploads apply: one buffer, then one with an empty end buffer covering 6...9.
            let first = try await Self.post(site, "upload", body: try Self.sonCreate(1, sequence: 3), clientId: "b1", through: 3)
            #expect(first.status == 200 && first.appliedThrough == 3, "\(first.json)")
            let second = try await Self.post(site, "upload", body: try Self.sonCreate(2, sequence: 5) + Self.end(9), clientId: "b1", through: 9)
            #expect(second.status == 200 && second.appliedThrough == 9, "\(second.json)")
            #expect(try await site.field("name", of: Fixtures.id(1)) == .text("s1"))
            #expect(try await site.field("name", of: Fixtures.id(2)) == .text("s2"))
            #expect(try await site.position(key) == 9)
            let creates = try await site.loggedDeltas().filter { $0.operation == .create }
            #expect(creates.count == 2, "the empty end buffer logs nothing")
            // Without the header the position is the last buffer's.
            let third = try await Self.post(site, "upload", body: try Self.sonCreate(3, sequence: 12), clientId: "b1")
            #expect(third.status == 200 && third.appliedThrough == 12, "\(third.json)")
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    @Test("an append carrying a site topic is refused, from an application and from a son, and stores nothing", arguments: TestStores.available)
    func onlyUploadsCarrySiteTopics(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"], clients: ["shop"])
        do {
            let id = Fixtures.id(7)
            let plain = #"{"writes":[{"kind":"create","class":"Customer","techId":"\#(id.uuidString)","topics":",A,","fields":{"name":"x","vip":false}}]}"#
            let created = try await Self.post(site, "append", body: Array(plain.utf8), clientId: "shop")
            #expect(created.status == 200, "\(created.json)")
            let before = try await site.store.lastSequence()
            for topics in [",#arbor.father,A,", ",A,#arbor.son.b1,", ",arbor.notson.b1,"] {
                let create = #"{"writes":[{"kind":"create","class":"Customer","techId":"\#(Fixtures.id(8).uuidString)","topics":"\#(topics)","fields":{"name":"y","vip":false}}]}"#
                let update = #"{"writes":[{"kind":"update","class":"Customer","techId":"\#(id.uuidString)","topics":"\#(topics)","fields":{"name":"z"}}]}"#
                for client in ["shop", "b1"] {
                    for body in [create, update] {
                        let answer = try await Self.post(site, "append", body: Array(body.utf8), clientId: client)
                        #expect(answer.status == 400 && answer.error == "BadRequest", "\(client) \(topics): \(answer.json)")
                        #expect(answer.message.contains("reserved"), "\(answer.message)")
                    }
                }
            }
            #expect(try await site.store.lastSequence() == before, "a refused append committed a transaction")
            #expect(try await site.customer(Fixtures.id(8)) == nil)
            #expect(try await site.customer(id)?.topics == Fixtures.topics("A"), "a refused update changed the topics")
            #expect(try await site.field("name", of: id) == .text("x"))
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }
}
