import ArborCore
import ArborEdge
import ArborTesting
import AsyncHTTPClient
import Foundation

/// Builders shared by the edge tests.
enum EdgeSamples {
    static let schema = Fixtures.retailSchema

    /// A buffer with one Customer create per id, at `sequence`.
    static func buffer(sequence: Int64, customers ids: [Int], schemaName: String = schema.name) -> DeltaBuffer {
        let deltas = ids.map { id in
            Delta(
                operation: .create, entityClass: "Customer", techId: Fixtures.id(id), updateTime: Fixtures.time(1_000 + Int64(id)),
                topics: Fixtures.topics("A"),
                fields: [
                    "name": TimedValue(.text("customer \(id)"), at: Fixtures.time(1_000 + Int64(id))),
                    "vip": TimedValue(.bool(id % 2 == 0), at: Fixtures.time(1_000 + Int64(id))),
                ]
            )
        }
        return DeltaBuffer(schemaName: schemaName, originSite: "center", sequence: sequence, deltas: deltas)
    }

    /// Buffers encoded back to back, as a binary delta answer body.
    static func binaryBody(_ buffers: [DeltaBuffer]) throws -> [UInt8] {
        try buffers.flatMap { try DeltaBufferCodec.encode($0, schema: schema) }
    }

    /// A binary delta answer at `sequence`.
    static func deltaResponse(_ buffers: [DeltaBuffer], sequence: Int64, connected: Bool = true, extra: [(String, String)] = []) throws -> ScriptedResponse {
        ScriptedResponse(
            status: 200,
            headers: [
                ("Content-Type", ArborProtocol.deltaBuffersMediaType),
                (ArborProtocol.Header.sequence, String(sequence)),
                (ArborProtocol.Header.connectedToCenter, String(connected)),
            ] + extra,
            body: try binaryBody(buffers)
        )
    }

    /// An Arbor error answer, encoded as a server encodes `ErrorResponse`.
    static func errorResponse(_ code: ArborErrorCode, _ message: String) throws -> ScriptedResponse {
        let body = try JSONEncoder().encode(ErrorResponse(error: code.rawValue, message: message))
        return ScriptedResponse(
            status: code.httpStatus,
            headers: [("Content-Type", "application/json"), (ArborProtocol.Header.connectedToCenter, "true")],
            body: Array(body)
        )
    }
}

/// Runs `body` with an edge over `servers`, using a fail-over HTTP client that is shut down after.
func withEdge<T: Sendable>(
    servers: [String],
    clientId: String? = "edge-1",
    useRegistration: Bool = false,
    format: EdgeConfiguration.Format = .binary,
    requestTimeout: Duration = .seconds(30),
    fetchWait: Duration = .milliseconds(500),
    retryBackoff: Duration = .milliseconds(10),
    _ body: (Edge) async throws -> T
) async throws -> T {
    let configuration = try EdgeConfiguration(
        servers: servers, clientId: clientId, useRegistration: useRegistration, schema: EdgeSamples.schema, format: format,
        requestTimeout: requestTimeout, fetchWait: fetchWait, retryBackoff: retryBackoff
    )
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(connectTimeout: .seconds(10)))
    do {
        let result = try await body(Edge(configuration: configuration, httpClient: client))
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// The `EdgeError` `body` throws, or nil when it throws nothing or another error.
func edgeError(_ body: () async throws -> Void) async -> EdgeError? {
    do {
        try await body()
        return nil
    } catch let error as EdgeError {
        return error
    } catch {
        return nil
    }
}
