import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The father's side of a link over HTTP: uploads apply once, in order, as from the son, and
/// every refusal has its code.
@Suite struct LinkServerTests {
    struct Answer {
        var status: Int
        var json: [String: Any]
        var error: String? { json["error"] as? String }
        var appliedThrough: Int64? { (json["appliedThrough"] as? NSNumber)?.int64Value }
    }

    func post(
        _ site: LinkedSite, _ service: String, body: [UInt8], clientId: String = "c1", through: Int64? = nil,
        schemaName: String = Fixtures.retailSchema.name, incarnation: String? = nil, after: Int64? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/\(service)")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: clientId)
        request.headers.add(name: ArborProtocol.Header.schemaName, value: schemaName)
        request.headers.add(name: ArborProtocol.Header.protocolVersion, value: String(ArborProtocol.version))
        if let through { request.headers.add(name: ArborProtocol.Header.sequence, value: String(through)) }
        if let incarnation { request.headers.add(name: ArborProtocol.Header.siteIncarnation, value: incarnation) }
        if let after { request.headers.add(name: ArborProtocol.Header.uploadAfter, value: String(after)) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), json: json)
    }

    /// A son's create of Customer `n` as its log holds it (father topic first).
    func sonCreate(_ n: Int, sequence: Int64, schemaName: String = Fixtures.retailSchema.name) throws -> DeltaBuffer {
        var delta = try LocalWrite.delta(
            for: Samples.customerCreate(id: Fixtures.id(n), name: "s\(n)"), existing: nil,
            at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
        )
        delta.topics = Fixtures.topics("#arbor.father", "A")
        return Samples.buffer([delta], sequence: sequence, schemaName: schemaName, origin: "branch1")
    }

    func encode(_ buffers: [DeltaBuffer]) throws -> [UInt8] {
        try buffers.flatMap { try DeltaBufferCodec.encode($0, schema: Fixtures.retailSchema) }
    }

    /// The empty buffer a son ends an upload with to cover log sequences with nothing for the
    /// father up to `sequence` (the position moves only over buffers received, issue 11 item 3).
    func end(_ sequence: Int64) -> DeltaBuffer {
        Samples.buffer([], sequence: sequence, origin: "branch1")
    }

    /// Two server processes of the father (one store, two servers) receive the same uploads at
    /// once, as after a son's fail-over: both answer the position, and the data is whole.
    @Test(arguments: TestStores.available)
    func theSameUploadAtTwoProcessesAppliesOnce(backend: TestStores.Backend) async throws {
        let first = try await LinkedSite.start(backend, siteName: "center", sons: ["c1"])
        let second: LinkedSite
        do { second = try await LinkedSite.start(backend, siteName: "center", reuse: (first.place, first.store.prefix)) } catch {
            await first.stop()
            throw error
        }
        do {
            let buffers = try (1...12).map { try sonCreate($0, sequence: Int64($0)) }
            let body = try encode(buffers + [end(15)])
            async let atFirst = post(first, "upload", body: body, through: 15)
            async let atSecond = post(second, "upload", body: body, through: 15)
            let answers = try await [atFirst, atSecond]
            for answer in answers { #expect(answer.status == 200 && answer.appliedThrough == 15, "\(answer.json)") }
            for n in 1...12 { #expect(try await first.field("name", of: Fixtures.id(n)) == .text("s\(n)")) }
            #expect(try await first.position(LinkServer.appliedKey(son: "c1")) == 15)
            let creates = try await first.loggedDeltas().filter { $0.operation == .create }
            #expect(creates.count == 12, "each son create is logged once at the father")
        } catch {
            await second.stop(keepData: true)
            await first.stop()
            throw error
        }
        await second.stop(keepData: true)
        await first.stop()
    }

    @Test(arguments: TestStores.available)
    func uploadsApplyOnceInOrderAndRecordThePosition(backend: TestStores.Backend) async throws {
        let father = try await LinkedSite.start(backend, siteName: "center", sons: ["c1"])
        do {
            let body = try encode([try sonCreate(1, sequence: 2), try sonCreate(2, sequence: 5), end(7)])
            let first = try await post(father, "upload", body: body, through: 7)
            #expect(first.status == 200 && first.appliedThrough == 7, "\(first.json)")
            #expect(try await father.field("name", of: Fixtures.id(1)) == .text("s1"))
            #expect(try await father.field("name", of: Fixtures.id(2)) == .text("s2"))
            #expect(try await father.position(LinkServer.appliedKey(son: "c1")) == 7)
            let logged = try await father.loggedDeltas()
            let create = try #require(logged.first { $0.operation == .create && $0.techId == Fixtures.id(1) })
            #expect(create.topics.contains("#arbor.notson.c1") && create.topics.contains("#arbor.father"),
                    "a son's create goes on up, never back to that son (§2.6.3)")
            #expect(logged.contains { $0.operation == .register && $0.techId == Fixtures.id(1) && $0.topics.contains("#arbor.son.c1") })

            let again = try await post(father, "upload", body: body, through: 7)
            #expect(again.appliedThrough == 7)
            // Sequence 2 again, now (as if) with a newer name: at or below the position, so skipped.
            var changed = try sonCreate(1, sequence: 2)
            changed.deltas[0].fields["name"] = TimedValue(.text("changed"), at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()))
            let older = try await post(father, "upload", body: try encode([changed]), through: 2)
            #expect(older.appliedThrough == 7, "a late re-send never moves the position back")
            #expect(try await father.field("name", of: Fixtures.id(1)) == .text("s1"), "re-sent buffers are skipped, not merged again")
            #expect(try await father.loggedDeltas().count == logged.count)

            let position = try await post(father, "upload-position", body: Array("{}".utf8))
            #expect(position.status == 200 && position.appliedThrough == 7)
            let empty = try await post(father, "upload", body: try encode([end(9)]), through: 9)
            #expect(empty.appliedThrough == 9, "an upload of buffers with nothing for the father still moves the position")
            #expect(try await father.loggedDeltas().count == logged.count, "an empty buffer logs nothing")
            #expect(father.control.statuses(of: "son c1") == ["connected"])
        } catch {
            await father.stop()
            throw error
        }
        await father.stop()
    }

    @Test func refusalsCarryTheirCodesAndApplyNothing() async throws {
        let father = try await LinkedSite.start(.sqlite, siteName: "center", sons: ["c1"])
        do {
            let valid = try encode([try sonCreate(1, sequence: 2)])
            let unknown = try await post(father, "upload", body: valid, clientId: "c9")
            #expect(unknown.status == 403 && unknown.error == "UnknownClient")
            let header = try await post(father, "upload", body: valid, schemaName: "retail-v2")
            #expect(header.status == 409 && header.error == "SchemaMismatch")
            let otherSchema = try encodeAs("retail-v2", try sonCreate(3, sequence: 2, schemaName: "retail-v2"))
            let buffers = try await post(father, "upload", body: otherSchema)
            #expect(buffers.status == 409 && buffers.error == "SchemaMismatch", "\(buffers.json)")
            let garbage = try await post(father, "upload", body: Array("{\"nonsense\": true}".utf8))
            #expect(garbage.status == 400 && garbage.error == "BadRequest")
            let disorder = try await post(father, "upload", body: try encode([try sonCreate(4, sequence: 5), try sonCreate(5, sequence: 3)]))
            #expect(disorder.status == 400 && disorder.error == "BadRequest")
            let beyond = try await post(father, "upload", body: valid, through: 1)
            #expect(beyond.status == 400, "a buffer beyond the upload's sequence")
            let claim = try await post(father, "upload", body: valid, through: 3)
            #expect(claim.status == 400 && claim.error == "BadRequest", "a sequence beyond the last buffer: \(claim.json)")
            let bare = try await post(father, "upload", body: [], through: 9)
            #expect(bare.status == 400 && bare.error == "BadRequest", "a sequence with no buffer: \(bare.json)")
            let position = try await post(father, "upload-position", body: Array("{\"x\": 1}".utf8))
            #expect(position.status == 400)
            #expect(try await father.store.lastSequence() == 0, "nothing was applied")
            #expect(try await father.position(LinkServer.appliedKey(son: "c1")) == nil)
        } catch {
            await father.stop()
            throw error
        }
        await father.stop()
    }

    /// A rebuilt son (a new incarnation of its database) starts at position 0, so its first
    /// buffers are applied instead of being skipped as already seen; the old incarnation's
    /// position stays, and an incarnation that is no UUID is refused before anything is stored.
    @Test func positionsAreKeptPerIncarnationOfTheSonsDatabase() async throws {
        let father = try await LinkedSite.start(.sqlite, siteName: "center", sons: ["c1"])
        do {
            let first = UUID().uuidString, second = UUID().uuidString
            let up = try await post(father, "upload", body: try encode([try sonCreate(1, sequence: 1), try sonCreate(2, sequence: 2), end(9)]), through: 9, incarnation: first)
            #expect(up.status == 200 && up.appliedThrough == 9, "\(up.json)")
            let fresh = try await post(father, "upload-position", body: Array("{}".utf8), incarnation: second)
            #expect(fresh.status == 200 && fresh.appliedThrough == 0, "a new incarnation starts at 0")
            let rebuilt = try await post(father, "upload", body: try encode([try sonCreate(3, sequence: 1)]), incarnation: second)
            #expect(rebuilt.appliedThrough == 1)
            #expect(try await father.field("name", of: Fixtures.id(3)) == .text("s3"), "the rebuilt son's first write is applied, not skipped")
            let old = try await post(father, "upload-position", body: Array("{}".utf8), incarnation: first)
            #expect(old.appliedThrough == 9)
            let legacy = try await post(father, "upload-position", body: Array("{}".utf8))
            #expect(legacy.appliedThrough == 0, "a son without an incarnation keeps its own position")
            let before = try await father.store.lastSequence()
            let bad = try await post(father, "upload", body: try encode([try sonCreate(4, sequence: 3)]), incarnation: "not-a-uuid")
            #expect(bad.status == 400 && bad.error == "BadRequest", "\(bad.json)")
            #expect(try await father.store.lastSequence() == before, "nothing was applied")
            #expect(try await father.customer(Fixtures.id(4)) == nil)
        } catch {
            await father.stop()
            throw error
        }
        await father.stop()
    }

    /// A father restored from an older backup holds a lower position for the son than the son
    /// was last told: an upload that follows the newer one would leave the writes between them
    /// out for good. It applies nothing and answers the lower position, so the son sends again.
    @Test func anUploadAfterAPositionTheFatherDoesNotHoldAppliesNothing() async throws {
        let father = try await LinkedSite.start(.sqlite, siteName: "center", sons: ["c1"])
        do {
            let up = try await post(father, "upload", body: try encode([try sonCreate(1, sequence: 1), end(3)]), through: 3, after: 0)
            #expect(up.status == 200 && up.appliedThrough == 3, "\(up.json)")
            let before = try await father.store.lastSequence()
            // The son was told 8 before the father's restore; the restored father holds 3.
            let gap = try await post(father, "upload", body: try encode([try sonCreate(2, sequence: 9)]), through: 9, after: 8)
            #expect(gap.status == 200 && gap.appliedThrough == 3, "\(gap.json)")
            #expect(try await father.customer(Fixtures.id(2)) == nil, "nothing was applied")
            #expect(try await father.store.lastSequence() == before)
            let resent = try await post(father, "upload", body: try encode([try sonCreate(4, sequence: 5), try sonCreate(2, sequence: 9)]), through: 9, after: 3)
            #expect(resent.appliedThrough == 9)
            #expect(try await father.field("name", of: Fixtures.id(4)) == .text("s4"), "what the restore lost comes up again")
            let legacy = try await post(father, "upload", body: try encode([try sonCreate(5, sequence: 10)]), through: 10, after: nil)
            #expect(legacy.appliedThrough == 10, "an older son, without the header, uploads as before")
        } catch {
            await father.stop()
            throw error
        }
        await father.stop()
    }

    @Test func silentSonsAreReportedDisconnected() async throws {
        let father = try await LinkedSite.start(.sqlite, siteName: "center", sons: ["c1"])
        do {
            // Only prefixes are asserted: on a loaded machine more than the son timeout may pass
            // between a contact and the read, and the silent son is (rightly) reported
            // disconnected again. The order of the reports is what the test proves.
            let link = LinkServer(context: father.context, sonTimeout: .milliseconds(500))
            #expect(try await link.uploadPosition(client: link.inProcessClient("c1")).appliedThrough == 0)
            #expect(father.control.statuses(of: "son c1").first == "connected")
            try await eventually("son c1 reported disconnected", timeout: .seconds(60)) {
                father.control.statuses(of: "son c1") == ["connected", "disconnected"]
            }
            _ = try await link.uploadPosition(client: link.inProcessClient("c1"))
            #expect(father.control.statuses(of: "son c1").prefix(3) == ["connected", "disconnected", "connected"])
        } catch {
            await father.stop()
            throw error
        }
        await father.stop()
    }

    /// `buffer` encoded under another schema name (same classes), as a son of that schema sends it.
    func encodeAs(_ schemaName: String, _ buffer: DeltaBuffer) throws -> [UInt8] {
        let schema = try DistributionSchema(name: schemaName, classes: Fixtures.retailSchema.classes)
        return try DeltaBufferCodec.encode(buffer, schema: schema)
    }
}
