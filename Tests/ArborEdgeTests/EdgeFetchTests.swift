import ArborCore
import ArborEdge
import Foundation
import Synchronization
import Testing

/// Steady-state fetches against a real loopback server answering scripted protocol responses.
@Suite(.timeLimit(.minutes(5))) struct EdgeFetchTests {
    /// Answers each request with the next scripted response for its path (the last one repeats).
    final class Script: Sendable {
        private let answers: Mutex<[String: [ScriptedResponse]]>

        init(_ answers: [String: [ScriptedResponse]]) {
            self.answers = Mutex(answers)
        }

        func answer(_ request: RecordedRequest) -> ScriptedResponse {
            answers.withLock { answers in
                guard var queue = answers[request.path], let first = queue.first else {
                    return .json(#"{"error":"NotFound","message":"no script"}"#, status: 404)
                }
                if queue.count > 1 { queue.removeFirst() }
                answers[request.path] = queue
                return first
            }
        }
    }

    @Test func fetchLoopsOverEmptyAnswersAndAdvancesTheSequence() async throws {
        let deltas = [EdgeSamples.buffer(sequence: 9, customers: [4]), EdgeSamples.buffer(sequence: 11, customers: [5, 6])]
        let script = Script([
            "/arbor/1/cache/full-load": [try EdgeSamples.deltaResponse([EdgeSamples.buffer(sequence: 3, customers: [1])], sequence: 3)],
            "/arbor/1/delta/fetch": [
                try EdgeSamples.deltaResponse([], sequence: 5),
                try EdgeSamples.deltaResponse([], sequence: 6),
                try EdgeSamples.deltaResponse(deltas, sequence: 11),
                try EdgeSamples.deltaResponse([], sequence: 11),
            ],
        ])
        try await withTestServer({ script.answer($0) }) { server in
            try await withEdge(servers: [server.baseURL], clientId: "son-paris", useRegistration: true, fetchWait: .milliseconds(750)) { edge in
                let load = try await edge.fullLoad(slice: "A+B")
                #expect(load.sequence == 3)
                #expect(edge.sequence == 3)

                let fetched = try await edge.fetchDeltas()
                #expect(fetched == deltas)
                #expect(edge.sequence == 11)

                // The next poll acknowledges the batch by asking from its sequence.
                #expect(try await edge.fetchDeltasOnce(waitMilliseconds: 0).isEmpty)
                let fetches = try server.requests.filter { $0.path == "/arbor/1/delta/fetch" }.map { try $0.json(FetchRequest.self) }
                #expect(fetches.map(\.fromSequence) == [3, 5, 6, 11])
                #expect(fetches.allSatisfy { $0.slice == "A+B" && $0.registered })
                #expect(fetches.prefix(3).allSatisfy { $0.waitMilliseconds == 750 })
                #expect(fetches.last?.waitMilliseconds == 0)

                let request = try #require(server.requests.first)
                #expect(request.method == "POST")
                #expect(request.headers.first(name: "X-Arbor-Client-Id") == "son-paris")
                #expect(request.headers.first(name: "X-Arbor-Protocol-Version") == String(ArborProtocol.version))
                #expect(request.headers.first(name: "X-Arbor-Schema") == "retail-v1")
                #expect(request.headers.first(name: "Accept") == "application/vnd.arbor.delta-buffers")
                #expect(request.headers.first(name: "Content-Type") == "application/json")
                #expect(try request.json(LoadRequest.self) == LoadRequest(slice: "A+B"))
            }
        }
    }

    @Test func connectedToCenterFollowsTheHeader() async throws {
        let script = Script([
            "/arbor/1/cache/skip-load": [.json(#"{"sequence":40}"#, headers: [("X-Arbor-Connected-To-Center", "true")])],
            "/arbor/1/delta/fetch": [
                try EdgeSamples.deltaResponse([], sequence: 40, connected: false),
                try EdgeSamples.deltaResponse([], sequence: 41, connected: true),
            ],
        ])
        try await withTestServer({ script.answer($0) }) { server in
            try await withEdge(servers: [server.baseURL]) { edge in
                #expect(!edge.connectedToCenter)
                #expect(try await edge.skipLoad(slice: "A", lastSequence: 35) == 40)
                #expect(edge.connectedToCenter)
                #expect(edge.sequence == 40)
                _ = try await edge.fetchDeltasOnce(waitMilliseconds: 0)
                #expect(!edge.connectedToCenter)
                _ = try await edge.fetchDeltasOnce(waitMilliseconds: 0)
                #expect(edge.connectedToCenter)
                #expect(edge.sequence == 41)
            }
        }
    }

    @Test func fetchIsCancellableAndOneAtATime() async throws {
        let script = Script([
            "/arbor/1/cache/skip-load": [.json(#"{"sequence":40}"#)],
            "/arbor/1/delta/fetch": [try EdgeSamples.deltaResponse([], sequence: 40)],
        ])
        try await withTestServer({ request in
            if request.path.hasSuffix("/fetch") { try? await Task.sleep(for: .milliseconds(400)) }
            return script.answer(request)
        }) { server in
            try await withEdge(servers: [server.baseURL], fetchWait: .seconds(5)) { edge in
                let early = await edgeError { _ = try await edge.fetchDeltas() }
                #expect(early?.code == .invalidUse, "no fetch before a load")
                try await edge.skipLoad(slice: "A", lastSequence: 35)
                let fetch = Task { try await edge.fetchDeltas() }
                // The first fetch holds the edge once its request is at the server.
                let asked = ContinuousClock.now
                while !server.requests.contains(where: { $0.path.hasSuffix("/fetch") }) && ContinuousClock.now - asked < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let second = await edgeError { _ = try await edge.fetchDeltasOnce(waitMilliseconds: 0) }
                #expect(second?.code == .invalidUse, "a second concurrent fetch is refused")
                fetch.cancel()
                let clock = ContinuousClock()
                let start = clock.now
                await #expect(throws: CancellationError.self) { try await fetch.value }
                // Uncancelled, the fetch would go on polling; the bound only catches a hang.
                #expect(clock.now - start < .seconds(30))
                // The cancelled fetch released the edge.
                #expect(try await edge.fetchDeltasOnce(waitMilliseconds: 0).isEmpty)
            }
        }
    }

    @Test func jsonFormat() async throws {
        let buffers = [EdgeSamples.buffer(sequence: 12, customers: [1, 2])]
        let body = try DeltaBuffersJSONResponse(sequence: 12, connectedToCenter: true, buffers: buffers).encodeJSON(schema: EdgeSamples.schema)
        let answer = ScriptedResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
        try await withTestServer({ _ in answer }) { server in
            try await withEdge(servers: [server.baseURL], format: .json) { edge in
                let load = try await edge.syncLoad(
                    entities: [EntityRef("Customer", UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)],
                    slice: "A", lastTransmissionTime: HybridTimestamp(microseconds: 1_700_000_000_000_000)
                )
                #expect(load.buffers == buffers)
                #expect(load.sequence == 12)
                #expect(load.deltas.count == 2)
                #expect(edge.sequence == 12)
                #expect(edge.connectedToCenter == false, "only the header sets connectedToCenter")
                let request = try #require(server.requests.first)
                #expect(request.path == "/arbor/1/cache/sync-load")
                #expect(request.headers.first(name: "Accept") == "application/json")
                let sent = try request.json(SyncLoadRequest.self)
                #expect(sent.lastTransmissionTime == 1_700_000_000_000_000)
                #expect(sent.entities?.count == 1)
            }
        }
    }

    @Test func otherServicesSendTheirPathsAndBodies() async throws {
        let customer = EntityRef("Customer", UUID(uuidString: "00000000-0000-4000-8000-000000000002")!)
        let status = StatusResponse(server: "cache", site: "paris", instance: "1", up: true, sequence: 77, schemaName: "retail-v1", connectedToCenter: true)
        let script = Script([
            "/arbor/1/cache/select-minus": [.json(#"{"entities":[{"class":"Customer","techId":"00000000-0000-4000-8000-000000000002"}]}"#)],
            "/arbor/1/cache/partial-load": [try EdgeSamples.deltaResponse([EdgeSamples.buffer(sequence: 60, customers: [8])], sequence: 60)],
            "/arbor/1/delta/register": [.json(#"{"sequence":61}"#)],
            "/arbor/1/delta/unregister": [.json(#"{"sequence":62}"#)],
            "/arbor/1/cache": [.json(String(decoding: try JSONEncoder().encode(status), as: UTF8.self))],
        ])
        try await withTestServer({ script.answer($0) }) { server in
            try await withEdge(servers: [server.baseURL]) { edge in
                #expect(try await edge.selectMinus(oldSlice: "A+B", newSlice: "A") == [customer])
                let partial = try await edge.partialLoad(newSlice: "A+C")
                #expect(partial.sequence == 60)
                #expect(edge.slice == "A+C")
                #expect(try await edge.registerEntities([customer]) == 61)
                #expect(try await edge.unregisterEntities([customer], sequence: 60) == 62)
                #expect(try await edge.status(server: .cache) == status)

                let requests = server.requests
                #expect(requests.map(\.path) == [
                    "/arbor/1/cache/select-minus", "/arbor/1/cache/partial-load", "/arbor/1/delta/register",
                    "/arbor/1/delta/unregister", "/arbor/1/cache",
                ])
                #expect(try requests[0].json(SelectMinusRequest.self) == SelectMinusRequest(oldSlice: "A+B", newSlice: "A"))
                #expect(try requests[1].json(LoadRequest.self) == LoadRequest(slice: "A+C"))
                #expect(try requests[2].json(RegisterRequest.self) == RegisterRequest(entities: [customer]))
                #expect(try requests[3].json(UnregisterRequest.self) == UnregisterRequest(entities: [customer], sequence: 60))
                #expect(requests[4].method == "GET")
                #expect(requests[4].body.isEmpty)
                #expect(requests.allSatisfy { $0.headers.first(name: "X-Arbor-Client-Id") == "edge-1" })
            }
        }
    }

    @Test func appendChecksWritesAgainstTheSchemaBeforeSending() async throws {
        try await withTestServer({ _ in .json(#"{"sequence":1,"outcomes":[]}"#) }) { server in
            try await withEdge(servers: [server.baseURL]) { edge in
                let unknownClass = Data(#"{"writes":[{"kind":"create","class":"Ghost","techId":"00000000-0000-4000-8000-000000000001"}]}"#.utf8)
                let error = await edgeError { _ = try await edge.append(json: unknownClass) }
                #expect(error?.code == .badRequest)
                #expect(error?.message.contains("Ghost") == true)
                #expect(server.requests.isEmpty)
            }
        }
    }
}
