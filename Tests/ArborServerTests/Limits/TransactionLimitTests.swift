import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 10 item 7: one size limit from request to log record. A write over the limit is
/// refused with `TooLarge` (413) before anything is stored; one under it replicates.
@Suite struct TransactionLimitTests {
    static let limit = 256 << 10

    static var settings: SiteServerSettings {
        var settings = SiteServerSettings()
        settings.limits.maximumTransactionBytes = limit
        return settings
    }

    struct Answer {
        var status: Int
        var json: [String: Any]
        var error: String? { json["error"] as? String }
        var message: String { json["message"] as? String ?? "" }
    }

    /// POSTs writes to the site's append service as its application client.
    static func append(_ site: LinkedSite, _ writes: [EntityWrite]) async throws -> Answer {
        try await append(site, body: try EntityWriteJSON.encode(writes, schema: Fixtures.retailSchema))
    }

    static func append(_ site: LinkedSite, body: Data) async throws -> Answer {
        var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/append")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        request.headers.add(name: ArborProtocol.Header.clientId, value: TreeSite.appClient)
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), json: json)
    }

    static func text(_ count: Int) -> FieldValue { .text(String(repeating: "x", count: count)) }

    @Test(arguments: TestStores.available)
    func aRequestBodyOverTheLimitIsRefusedUnread(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, settings: Self.settings)
        do {
            let before = try await site.store.lastSequence()
            let answer = try await Self.append(site, [Samples.customerCreate(id: Fixtures.id(1), extra: ["email": Self.text(Self.limit + 1)])])
            #expect(answer.status == 413 && answer.error == "TooLarge", "\(answer.json)")
            #expect(answer.message.contains("maximumTransactionBytes") && answer.message.contains("\(Self.limit)"))
            #expect(try await site.customer(Fixtures.id(1)) == nil)
            #expect(try await site.store.lastSequence() == before)
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    /// The body fits, but the transaction's buffer does not (an update logs a PARTIAL and a
    /// FULL, each carrying the value): the store refuses it inside the write transaction.
    @Test(arguments: TestStores.available)
    func aTransactionWhoseBufferIsOverTheLimitCommitsNothing(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, settings: Self.settings)
        do {
            let created = try await Self.append(site, [Samples.customerCreate(id: Fixtures.id(1))])
            #expect(created.status == 200, "\(created.json)")
            let before = try await site.store.lastSequence()
            let value = Self.text(Self.limit * 3 / 5)
            let answer = try await Self.append(site, [EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["email": value])])
            #expect(answer.status == 413 && answer.error == "TooLarge", "\(answer.json)")
            #expect(answer.message.contains("maximumTransactionBytes"))
            #expect(try await site.field("email", of: Fixtures.id(1)) != value, "nothing of the refused update is stored")
            #expect(try await site.store.lastSequence() == before, "no log record")
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    /// A write just under the limit goes from the son's log to the father (upload) and back
    /// down is never refused by a decoder on the way.
    @Test func aWriteJustUnderTheLimitReplicatesToTheFatherAndItsSons() async throws {
        try await LinkedPair.run(father: .sqlite, settings: Self.settings) { pair in
            let value = Self.text(Self.limit - 4_096)
            let atFather = Fixtures.id(1)
            let atSon = Fixtures.id(2)
            try await pair.father.create(atFather, name: "f")
            try await pair.father.update(atFather, ["email": .text("")])
            try await eventually("the son loads the father's entity") { try await pair.son.customer(atFather) != nil }
            // A create logs one CREATE carrying the value: just under the limit.
            let sonAnswer = try await Self.append(pair.son, [Samples.customerCreate(id: atSon, extra: ["email": value])])
            #expect(sonAnswer.status == 200, "\(sonAnswer.json)")
            try await eventually("the son's big create reaches the father") { try await pair.father.field("email", of: atSon) == value }
            let fatherAnswer = try await Self.append(pair.father, [Samples.customerCreate(id: Fixtures.id(3), extra: ["email": value])])
            #expect(fatherAnswer.status == 200, "\(fatherAnswer.json)")
            try await eventually("the father's big create reaches the son") { try await pair.son.field("email", of: Fixtures.id(3)) == value }
        }
    }
}
