import ArborCore
import ArborEdge
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// The son's uploads to its father (`…/delta/upload`, `…/delta/upload-position`) over
/// AsyncHTTPClient, with the edge's headers and fail-over across the father's servers. An
/// ``Edge`` has no upload: the son's own log is the only sender.
///
/// Uploads are idempotent (the father skips what it applied), so any failure fails over.
final class FatherUploader: Sendable {
    /// The father's answer.
    struct Answer: Hashable, Sendable {
        /// The son's log position the father applied through.
        var appliedThrough: Int64
        /// The father's `X-Arbor-Connected-To-Center`.
        var connectedToCenter: Bool
        /// The father's log end after applying (nil from an older father).
        var fatherSequence: Int64? = nil
    }

    private let client: HTTPClient
    private let servers: [String]
    private let paths: ServicePaths
    private let headers: [(String, String)]
    private let timeout: Duration
    private let current = Mutex(0)

    /// - Parameter servers: normalized base URLs (from the edge configuration).
    init(client: HTTPClient, servers: [String], paths: ServicePaths, clientId: String, clientSecret: String? = nil, incarnation: UUID? = nil,
         schemaName: String, timeout: Duration) {
        self.client = client
        self.servers = servers
        self.paths = paths
        self.timeout = timeout
        var headers = [
            (ArborProtocol.Header.clientId, clientId),
            (ArborProtocol.Header.protocolVersion, String(ArborProtocol.version)),
            (ArborProtocol.Header.schemaName, schemaName),
            ("Accept", ArborProtocol.jsonMediaType),
        ]
        if let clientSecret { headers.append((ArborProtocol.Header.clientSecret, clientSecret)) }
        if let incarnation { headers.append((ArborProtocol.Header.siteIncarnation, incarnation.uuidString)) }
        self.headers = headers
    }

    /// The father's position for this son; also the heartbeat.
    func position() async throws -> Answer {
        try await send(paths.delta("upload-position"), body: Array("{}".utf8), contentType: ArborProtocol.jsonMediaType, through: nil)
    }

    /// Sends `batch`, which follows `after`, the position the father last answered; the father
    /// applies what it has not yet applied (nothing when it holds less than `after`).
    func upload(_ batch: UploadBatch, after: Int64) async throws -> Answer {
        try await send(paths.delta("upload"), body: batch.body, contentType: ArborProtocol.deltaBuffersMediaType, through: batch.throughSequence, after: after)
    }

    /// Sends this site's summary (``SiteSummary``); the father answers how it sees this site's lag.
    func siteReport(_ summary: SiteSummary) async throws -> SiteReportResponse {
        let body = Array(try JSONEncoder().encode(summary))
        return try await post(paths.delta("site-report"), body: body, contentType: ArborProtocol.jsonMediaType, through: nil) { bytes, _, server, status in
            guard let answer = try? JSONDecoder().decode(SiteReportResponse.self, from: Data(bytes)) else {
                throw EdgeError(code: .invalidResponse, message: "the father's SiteReportResponse does not decode", httpStatus: status, server: server)
            }
            return answer
        }
    }

    private func send(_ path: String, body: [UInt8], contentType: String, through: Int64?, after: Int64? = nil) async throws -> Answer {
        try await post(path, body: body, contentType: contentType, through: through, after: after) { bytes, connected, server, status in
            guard let answer = try? JSONDecoder().decode(UploadResponse.self, from: Data(bytes)) else {
                throw EdgeError(code: .invalidResponse, message: "the father's UploadResponse does not decode", httpStatus: status, server: server)
            }
            return Answer(appliedThrough: answer.appliedThrough, connectedToCenter: connected, fatherSequence: answer.fatherSequence)
        }
    }

    /// POSTs to the current server, failing over on connection errors, timeouts and 5xx;
    /// throws the father's protocol errors as ``EdgeError`` and `Unreachable` after a full round.
    /// `decode` reads a 2xx body (with the connected-to-center header, the server and status).
    private func post<T>(
        _ path: String, body: [UInt8], contentType: String, through: Int64?, after: Int64? = nil, decode: ([UInt8], Bool, String, Int) throws -> T
    ) async throws -> T {
        var index = current.withLock { $0 }
        var failures: [String] = []
        for _ in servers.indices {
            let server = servers[index]
            var request = HTTPClientRequest(url: server + path)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "Content-Type", value: contentType)
            if let through { request.headers.add(name: ArborProtocol.Header.sequence, value: String(through)) }
            if let after { request.headers.add(name: ArborProtocol.Header.uploadAfter, value: String(after)) }
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .milliseconds(Self.milliseconds(timeout)))
                let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                let status = Int(response.status.code)
                switch status {
                case 200...299:
                    let connected = response.headers.first(name: ArborProtocol.Header.connectedToCenter)?.lowercased() == "true"
                    let answer = try decode(bytes, connected, server, status)
                    current.withLock { $0 = index }
                    return answer
                case 500...599, 408, 429:
                    let error = EdgeError.fromResponse(status: status, body: bytes, server: server)
                    failures.append("\(server): HTTP \(status) \(error.code): \(error.message)")
                default:
                    throw EdgeError.fromResponse(status: status, body: bytes, server: server)
                }
            } catch let error as EdgeError {
                throw error
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                failures.append("\(server): \(error)")
            }
            index = (index + 1) % servers.count
        }
        current.withLock { $0 = index }
        throw EdgeError(code: .unreachable, message: "no father server answered (\(failures.joined(separator: "; ")))", server: servers[index])
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
