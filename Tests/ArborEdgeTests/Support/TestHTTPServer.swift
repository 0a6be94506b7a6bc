#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request the test server received.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var headers: HTTPHeaders
    var body: [UInt8]

    /// The body decoded as `T` (the edge's JSON request bodies).
    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body))
    }
}

/// What the test server answers: a status, headers and a body, or a dropped connection.
struct ScriptedResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// Close the connection without answering (the request was received).
    var dropConnection = false

    init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> ScriptedResponse {
        ScriptedResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// The connection is closed after the request arrived, without an answer.
    static var drop: ScriptedResponse {
        var response = ScriptedResponse()
        response.dropConnection = true
        return response
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port (swift-nio), answering each
/// request with its handler; it records every request. Use through ``withTestServer(_:_:)``.
final class TestHTTPServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest) async -> ScriptedResponse
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let port: Int
    private let server: NIOAsyncChannel<Connection, Never>
    private let recorded = Mutex<[RecordedRequest]>([])
    private let connections = Mutex<[any Channel]>([])

    /// The base URL edges are given.
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Every request received so far, in order.
    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    private init(server: NIOAsyncChannel<Connection, Never>, port: Int) {
        self.server = server
        self.port = port
    }

    static func start() async throws -> TestHTTPServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else { throw TestServerError("server has no port") }
        return TestHTTPServer(server: server, port: port)
    }

    /// Accepts connections until the server channel closes or the task is cancelled.
    func run(_ handler: @escaping Handler) async {
        try? await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    connections.withLock { $0.append(connection.channel) }
                    group.addTask { await self.serve(connection, handler) }
                }
            }
        }
    }

    /// Closes the listening socket and every accepted connection.
    func close() async {
        try? await server.channel.close()
        for channel in connections.withLock({ $0 }) { try? await channel.close() }
    }

    private func serve(_ connection: Connection, _ handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let requestHead = head else { continue }
                    let request = RecordedRequest(method: "\(requestHead.method)", path: requestHead.uri, headers: requestHead.headers, body: body)
                    recorded.withLock { $0.append(request) }
                    let response = await handler(request)
                    if response.dropConnection { return }
                    var headers = HTTPHeaders(response.headers)
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    let responseHead = HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)
                    try await outbound.write(.head(responseHead))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a started server answering through `handler`; the server is always closed.
func withTestServer<T: Sendable>(
    _ handler: @escaping TestHTTPServer.Handler, _ body: (TestHTTPServer) async throws -> T
) async throws -> T {
    let server = try await TestHTTPServer.start()
    let task = Task { await server.run(handler) }
    do {
        let result = try await body(server)
        await server.close()
        task.cancel()
        await task.value
        return result
    } catch {
        await server.close()
        task.cancel()
        await task.value
        throw error
    }
}

/// Sockets bound to a port without listening: connections to the port are refused, and no
/// other test (parallel ones start servers on port 0) can take it while the process runs.
private let reservedPorts = Mutex<[Int32]>([])

/// The URL of a loopback port where nothing listens and nothing will: a refused connection.
func closedPortURL() async throws -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestServerError("no socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    guard bound else {
        close(descriptor)
        throw TestServerError("cannot reserve a loopback port")
    }
    reservedPorts.withLock { $0.append(descriptor) }
    return "http://127.0.0.1:\(Int(UInt16(bigEndian: address.sin_port)))"
}
