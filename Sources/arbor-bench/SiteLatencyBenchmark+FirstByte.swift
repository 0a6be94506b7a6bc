import ArborCore
import AsyncHTTPClient
import NIOCore

extension SiteLatencyBenchmark {
    /// A binary FullLoad of `slice` over plain HTTP: milliseconds until the answer's first body
    /// byte, and until its last (the body read, not decoded).
    static func firstByte(baseURL: String, slice: String) async throws -> (firstByte: Double, lastByte: Double) {
        var request = HTTPClientRequest(url: baseURL + "/arbor/1/cache/full-load")
        request.method = .POST
        request.headers.add(name: ArborProtocol.Header.clientId, value: "follower")
        request.headers.add(name: "Content-Type", value: ArborProtocol.jsonMediaType)
        request.headers.add(name: "Accept", value: ArborProtocol.deltaBuffersMediaType)
        request.body = .bytes(ByteBuffer(string: #"{"slice":"\#(slice)"}"#))
        let started = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        guard response.status == .ok else { throw ArborBenchOptions.UsageError(message: "full load answered HTTP \(response.status.code)") }
        var first: Duration?
        for try await chunk in response.body where first == nil && chunk.readableBytes > 0 {
            first = ContinuousClock.now - started
        }
        let last = ContinuousClock.now - started
        return (milliseconds(first ?? last), milliseconds(last))
    }
}
