import ArborCore
import ArborEdge
import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 13 item 3: while a site stays down, its edge's fail-over notice is written once per
/// pair of servers per minute, not once per attempt.
@Suite(.timeLimit(.minutes(5))) struct EdgeFailoverLogTests {
    /// The messages and metadata a logger was given.
    final class CapturedLog: Sendable {
        private let entries = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
        func append(_ message: String, _ metadata: Logger.Metadata) { entries.withLock { $0.append((message, metadata)) } }
        var failovers: [Logger.Metadata] { entries.withLock { $0.filter { $0.message == "arbor edge fails over" }.map(\.metadata) } }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { log.append(event.message.description, event.metadata ?? [:]) }
    }

    @Test func repeatedFailOversBetweenTheSameServersAreWrittenOnce() async throws {
        let closed = try await closedPortURL()
        try await withTestServer({ _ in .json(#"{"error":"Internal","message":"disk full"}"#, status: 500) }) { failing in
            let configuration = try EdgeConfiguration(
                servers: [closed, failing.baseURL], clientId: "edge-1", schema: EdgeSamples.schema, retryBackoff: .milliseconds(10)
            )
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(connectTimeout: .seconds(10)))
            let captured = CapturedLog()
            let edge = Edge(configuration: configuration, httpClient: client, logger: Logger(label: "arbor.edge") { _ in CapturingHandler(log: captured) })
            for _ in 0..<5 {
                let error = await edgeError { _ = try await edge.fullLoad(slice: "A") }
                #expect(error?.isUnreachable == true)
            }
            try await client.shutdown()
            #expect(failing.requests.count == 5, "every attempt was made")
            let pairs = captured.failovers.map { "\($0["from"] ?? "") → \($0["to"] ?? "")" }
            let (first, second) = (configuration.servers[0], configuration.servers[1])
            #expect(pairs == ["\(first) → \(second)", "\(second) → \(first)"], "one notice per pair, not ten: \(pairs)")
        }
    }
}
