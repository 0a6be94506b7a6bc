import ArborCore
import ArborEdge
import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

/// Fail-over against real loopback sockets: a closed port, servers answering 5xx, protocol errors.
@Suite(.timeLimit(.minutes(5))) struct EdgeFailoverTests {
    static let load = [EdgeSamples.buffer(sequence: 20, customers: [1, 2, 3])]
    let loadAnswer: ScriptedResponse

    init() throws {
        loadAnswer = try EdgeSamples.deltaResponse(Self.load, sequence: 20)
    }

    @Test func closedPortFailsOverToTheNextServer() async throws {
        let closed = try await closedPortURL()
        try await withTestServer({ [loadAnswer] _ in loadAnswer }) { live in
            try await withEdge(servers: [closed, live.baseURL]) { edge in
                let load = try await edge.fullLoad(slice: "A")
                #expect(load.buffers == Self.load)
                #expect(load.sequence == 20)
                #expect(edge.currentServer == live.baseURL)
                #expect(edge.sequence == 20)
                #expect(edge.slice == "A")
                // The edge stays on the server that answered.
                _ = try await edge.fullLoad(slice: "A")
                #expect(live.requests.count == 2)
            }
        }
    }

    @Test func sharedClientAlsoFailsOverOnceTheRequestTimesOut() async throws {
        let closed = try await closedPortURL()
        try await withTestServer({ [loadAnswer] _ in loadAnswer }) { live in
            let configuration = try EdgeConfiguration(
                servers: [closed, live.baseURL], clientId: "edge-1", schema: EdgeSamples.schema, requestTimeout: .seconds(10)
            )
            let edge = Edge(configuration: configuration)  // HTTPClient.shared
            let load = try await edge.fullLoad(slice: "A")
            #expect(load.sequence == 20)
            #expect(edge.currentServer == live.baseURL)
        }
    }

    @Test func serviceUnavailableFailsOver() async throws {
        try await withTestServer({ _ in .json(#"{"error":"Internal","message":"starting"}"#, status: 503) }) { sick in
            try await withTestServer({ [loadAnswer] _ in loadAnswer }) { live in
                try await withEdge(servers: [sick.baseURL, live.baseURL]) { edge in
                    let load = try await edge.fullLoad(slice: "A")
                    #expect(load.sequence == 20)
                    #expect(sick.requests.count == 1)
                    #expect(live.requests.count == 1)
                }
            }
        }
    }

    @Test func protocolErrorIsSurfacedWithoutFailOver() async throws {
        let notRegistered = try EdgeSamples.errorResponse(.notRegistered, "register your entities")
        try await withTestServer({ _ in notRegistered }) { first in
            try await withTestServer({ [loadAnswer] _ in loadAnswer }) { second in
                try await withEdge(servers: [first.baseURL, second.baseURL]) { edge in
                    let error = await edgeError { _ = try await edge.syncLoad(slice: "A", lastTransmissionTime: .zero) }
                    #expect(error?.isNotRegistered == true)
                    #expect(error?.message == "register your entities")
                    #expect(error?.httpStatus == 409)
                    #expect(error?.server == first.baseURL)
                    #expect(second.requests.isEmpty)
                    #expect(edge.currentServer == first.baseURL)
                    #expect(edge.connectedToCenter, "error answers carry the header too")
                    #expect(edge.slice == nil, "a failed load changes nothing")
                }
            }
        }
    }

    @Test func everyServerDownIsUnreachableAndTheNextCallBacksOff() async throws {
        let first = try await closedPortURL()
        try await withTestServer({ _ in .json(#"{"error":"Internal","message":"disk full"}"#, status: 500) }) { failing in
            try await withEdge(servers: [first, failing.baseURL], retryBackoff: .milliseconds(300)) { edge in
                let error = await edgeError { _ = try await edge.fullLoad(slice: "A") }
                #expect(error?.isUnreachable == true)
                #expect(error?.isRetryable == true)
                #expect(error?.message.contains(first) == true)
                #expect(error?.message.contains("disk full") == true)
                #expect(failing.requests.count == 1, "one round, each server once")

                let clock = ContinuousClock()
                let start = clock.now
                let again = await edgeError { _ = try await edge.fullLoad(slice: "A") }
                #expect(again?.isUnreachable == true)
                #expect(clock.now - start >= .milliseconds(250), "the retry waited for the back-off")
                #expect(failing.requests.count == 2)
            }
        }
    }

    /// Issue 10 item 13: every append carries a request id, so an append whose answer was lost
    /// (dropped or 5xx) is resent with the same id to the next server, which answers it.
    @Test func appendFailsOverWithTheSameRequestId() async throws {
        let closed = try await closedPortURL()
        let writes = Data(#"{"writes":[{"kind":"delete","class":"Customer","techId":"00000000-0000-4000-8000-000000000001"}]}"#.utf8)
        try await withTestServer({ _ in .json(#"{"sequence":31,"outcomes":["accepted"]}"#) }) { live in
            try await withEdge(servers: [closed, live.baseURL]) { edge in
                let response = try await edge.append(json: writes)
                #expect(response == AppendResponse(sequence: 31, outcomes: ["accepted"]))
                let request = try #require(live.requests.first)
                #expect(request.path == "/arbor/1/delta/append")
                #expect(request.body == Array(writes))
            }
        }
        for failure in [ScriptedResponse.drop, .json(#"{"error":"Internal","message":"commit failed"}"#, status: 500)] {
            try await withTestServer({ _ in failure }) { failing in
                try await withTestServer({ _ in .json(#"{"sequence":31,"outcomes":["accepted"]}"#) }) { live in
                    try await withEdge(servers: [failing.baseURL, live.baseURL]) { edge in
                        let response = try await edge.append(json: writes, requestId: "req-7")
                        #expect(response == AppendResponse(sequence: 31, outcomes: ["accepted"]))
                        #expect(failing.requests.map { $0.headers.first(name: "X-Arbor-Request-Id") } == ["req-7"])
                        #expect(live.requests.map { $0.headers.first(name: "X-Arbor-Request-Id") } == ["req-7"], "resent with the same id")
                    }
                }
            }
        }
        // No answer from any server in any round: the outcome is unknown, and the error names the id.
        try await withTestServer({ _ in .drop }) { dropping in
            try await withEdge(servers: [dropping.baseURL]) { edge in
                let error = await edgeError { _ = try await edge.append(json: writes, requestId: "req-8") }
                #expect(error?.code == .outcomeUnknown)
                #expect(error?.message.contains("req-8") == true)
                #expect(dropping.requests.count == Edge.appendRounds)
            }
        }
    }

    @Test func idempotentRequestsFailOverWhenTheConnectionDrops() async throws {
        try await withTestServer({ _ in .drop }) { dropping in
            try await withTestServer({ _ in .json(#"{"sequence":8}"#) }) { live in
                try await withEdge(servers: [dropping.baseURL, live.baseURL]) { edge in
                    let sequence = try await edge.registerEntities([EntityRef("Customer", UUID())])
                    #expect(sequence == 8)
                    #expect(dropping.requests.count >= 1)
                    #expect(edge.currentServer == live.baseURL)
                }
            }
        }
    }

    @Test func redirectMovesTheEdgeToAListedServer() async throws {
        try await withTestServer({ _ in .json(#"{"sequence":8}"#) }) { target in
            let redirect = Mutex<String>("http://unlisted:1")
            try await withTestServer({ _ in .json(#"{"sequence":7}"#, headers: [("X-Arbor-Redirect", redirect.withLock { $0 })]) }) { first in
                try await withEdge(servers: [first.baseURL, target.baseURL]) { edge in
                    let answered = try await edge.registerEntities([])
                    #expect(answered == 7)
                    #expect(edge.currentServer == first.baseURL, "an unlisted target is ignored")
                    redirect.withLock { $0 = target.baseURL + "/" }
                    let redirecting = try await edge.registerEntities([])
                    #expect(redirecting == 7, "the redirecting answer itself is used")
                    #expect(edge.currentServer == target.baseURL)
                    let redirected = try await edge.registerEntities([])
                    #expect(redirected == 8)
                    #expect(first.requests.count == 2)
                    #expect(target.requests.count == 1)
                }
            }
        }
    }
}
