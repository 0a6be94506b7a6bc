import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 10 item 8: a received time far ahead of the receiver's clock is refused with nothing
/// stored, and local writes keep getting times near the wall clock.
@Suite struct ClockSkewTests {
    func upload(_ site: LinkedSite, _ buffers: [DeltaBuffer], through: Int64) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/upload")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: "c1")
        request.headers.add(name: ArborProtocol.Header.sequence, value: String(through))
        request.body = .bytes(ByteBuffer(bytes: try buffers.flatMap { try DeltaBufferCodec.encode($0, schema: Fixtures.retailSchema) }))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:])
    }

    /// A son's create stamped `time`.
    func sonCreate(_ n: Int, at time: HybridTimestamp, sequence: Int64) throws -> DeltaBuffer {
        var delta = try LocalWrite.delta(for: Samples.customerCreate(id: Fixtures.id(n), name: "s\(n)"), existing: nil, at: time, schema: Fixtures.retailSchema)
        delta.topics = Fixtures.topics("#arbor.father", "A")
        return Samples.buffer([delta], sequence: sequence, origin: "branch1")
    }

    @Test(arguments: TestStores.available)
    func anUploadWithAFarFutureTimeIsRefusedAndLocalWritesGoOn(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, sons: ["c1"])
        do {
            let before = try await site.store.lastSequence()
            let far = try sonCreate(1, at: HybridTimestamp(microseconds: .max - 10), sequence: 1)
            let answer = try await upload(site, [far], through: 1)
            #expect(answer.status == 400 && answer.json["error"] as? String == "BadRequest", "\(answer.json)")
            #expect((answer.json["message"] as? String ?? "").contains("maximumClockSkewSeconds"), "\(answer.json)")
            #expect(try await site.customer(Fixtures.id(1)) == nil, "nothing of the refused upload is stored")
            #expect(try await site.store.lastSequence() == before)
            #expect(try await site.position(LinkServer.appliedKey(son: "c1")) ?? 0 == 0, "the son's position did not move")

            // Local writes keep times near the wall clock, and keep being accepted.
            try await site.create(Fixtures.id(2), name: "local")
            for round in 0..<5 {
                let receipt = try await site.context.entities.write([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), fields: ["name": .text("r\(round)")])])
                #expect(receipt.result == [.accepted], "round \(round)")
            }
            let stored = try #require(try await site.customer(Fixtures.id(2)))
            let ahead = stored.updateTime.microseconds - EntitiesSubsystem.systemMicroseconds()
            #expect(ahead < HybridClock.defaultMaximumAheadMicroseconds, "local times stay near the wall clock (ahead by \(ahead) µs)")

            // A time within the skew is accepted as before.
            let near = try sonCreate(3, at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds() + 1_000_000), sequence: 2)
            let accepted = try await upload(site, [near], through: 2)
            #expect(accepted.status == 200, "\(accepted.json)")
            #expect(try await site.field("name", of: Fixtures.id(3)) == .text("s3"))
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }

    /// A father's buffer with a far-future time is refused at the son too: nothing stored.
    @Test(arguments: TestStores.available)
    func aBufferFromTheFatherWithAFarFutureTimeIsRefused(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend, siteName: "branch1") { store in
            let entities = EntitiesSubsystem(store: store)
            var delta = try LocalWrite.delta(
                for: Samples.customerCreate(id: Fixtures.id(1)), existing: nil, at: HybridTimestamp(microseconds: .max / 2), schema: Fixtures.retailSchema
            )
            delta.topics = Fixtures.topics("A")
            await #expect(throws: StoreError.self) { try await entities.apply(Samples.buffer([delta], sequence: 1, origin: "center"), from: .father) }
            #expect(try await store.entities([EntityKey("Customer", Fixtures.id(1))]).isEmpty)
            #expect(try await store.lastSequence() == 0)
        }
    }
}
