import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 10 item 13: an append whose answer is lost is resent with the same request id and
/// answered with the recorded outcome; nothing is applied twice.
@Suite struct AppendRequestIdTests {
    /// The connection is cut after the commit and before the answer: the edge resends the same
    /// request id, gets the recorded outcome, and the create is applied (and logged) once.
    @Test(arguments: TestStores.available)
    func anAppendWhoseAnswerIsLostIsResentAndAppliedOnce(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, clients: ["app"])
        let relay: TCPRelay
        do { relay = try await TCPRelay.start(to: site.port) } catch {
            await site.stop()
            throw error
        }
        do {
            let edge = try Edge(configuration: EdgeConfiguration(
                servers: ["http://127.0.0.1:\(relay.port)"], clientId: "app", schema: Fixtures.retailSchema, retryBackoff: .milliseconds(100)
            ))
            relay.cutNextReplies(1)
            let created = try await edge.append([Samples.customerCreate(id: Fixtures.id(1))])
            #expect(created.outcomes == ["created"], "the resent create is answered with the recorded outcome, not a duplicate")
            relay.cutNextReplies(1)
            let updated = try await edge.append([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(1), fields: ["name": .text("Bob")])])
            #expect(updated.outcomes == ["accepted"])
            let logged = try await site.loggedDeltas().filter { $0.techId == Fixtures.id(1) }
            #expect(logged.filter { $0.operation == .create }.count == 1, "the create is applied once: \(logged.map(\.operation))")
            #expect(logged.filter { $0.operation == .partial }.count == 1, "the update is applied once: \(logged.map(\.operation))")
            #expect(created.sequence != nil && updated.sequence == (created.sequence ?? 0) + 1, "no other transaction was committed")
            #expect(try await site.field("name", of: Fixtures.id(1)) == .text("Bob"))
        } catch {
            await relay.stop()
            await site.stop()
            throw error
        }
        await relay.stop()
        await site.stop()
    }

    /// Two appends with one id over HTTP: the second gets the first's answer, the log one record.
    @Test(arguments: TestStores.available)
    func aRepeatedRequestIdIsAnsweredWithTheRecordedOutcome(backend: TestStores.Backend) async throws {
        let site = try await LinkedSite.start(backend, clients: ["app"])
        do {
            func append(_ writes: [EntityWrite], id: String) async throws -> (status: Int, json: [String: Any]) {
                var request = HTTPClientRequest(url: site.baseURL + "/arbor/1/delta/append")
                request.method = .POST
                request.headers.add(name: ArborProtocol.Header.clientId, value: "app")
                request.headers.add(name: ArborProtocol.Header.requestId, value: id)
                request.body = .bytes(ByteBuffer(data: try EntityWriteJSON.encode(writes, schema: Fixtures.retailSchema)))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:])
            }
            let create = [Samples.customerCreate(id: Fixtures.id(1))]
            let first = try await append(create, id: "req-1")
            let before = try await site.store.lastSequence()
            let second = try await append(create, id: "req-1")
            #expect(first.status == 200 && second.status == 200, "\(second.json)")
            #expect(second.json["outcomes"] as? [String] == ["created"] && (second.json["sequence"] as? NSNumber) == (first.json["sequence"] as? NSNumber))
            #expect(try await site.store.lastSequence() == before, "nothing applied again")
            let other = try await append(create, id: "req-2")
            #expect(other.status == 400, "a new id for the same create is a new request (a duplicate create): \(other.json)")
            let bad = try await append(create, id: String(repeating: "x", count: 129))
            #expect(bad.status == 400 && bad.json["error"] as? String == "BadRequest")
        } catch {
            await site.stop()
            throw error
        }
        await site.stop()
    }
}
