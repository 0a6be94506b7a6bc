import ArborCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Reading requests and writing answers in the protocol's forms (JSON bodies, binary or JSON
/// delta buffers, JSON errors, the connected-to-center header on every answer).
struct HTTPExchange: Sendable {
    let context: SiteContext
    /// The budget every request body being collected draws from (issue 11 item 6).
    var bodyBudget = RequestBodyBudget(capacity: SocketLimits.defaultRequestBodyBudgetBytes)

    /// The largest request body read: the site's one size limit (issue 10 item 7), so a body
    /// that could not become one transaction is refused before anything is stored.
    var maximumBodySize: Int { context.settings.limits.maximumTransactionBytes }

    /// The request's client id header, if any.
    func clientId(_ request: Request) -> String? {
        request.headers[HTTPField.Name(ArborProtocol.Header.clientId)!]
    }

    /// The request's client secret header, if any.
    func clientSecret(_ request: Request) -> String? {
        request.headers[HTTPField.Name(ArborProtocol.Header.clientSecret)!]
    }

    /// Refuses another protocol version, and a schema name the site never held; answers the
    /// older schema the edge runs, nil when it runs the site's (or does not say).
    ///
    /// A son or edge on an older schema of the history is served (an additive upgrade rolls
    /// through the tree center first, issue 10 item 9); one on a schema this site does not know
    /// (a newer one: its father must be upgraded first) is `SchemaMismatch`.
    func checkCompatibility(_ request: Request) async throws(ServerError) -> DistributionSchema? {
        if let version = request.headers[HTTPField.Name(ArborProtocol.Header.protocolVersion)!], version != String(ArborProtocol.version) {
            throw ServerError(.protocolVersion, "edge speaks protocol version \(version), site '\(context.siteName)' speaks \(ArborProtocol.version): upgrade the older side")
        }
        guard let schema = request.headers[HTTPField.Name(ArborProtocol.Header.schemaName)!], schema != context.schema.name else { return nil }
        let history: SchemaHistory
        do { history = try await context.schemas.history() } catch {
            throw ServerError(.internalError, "site '\(context.siteName)' could not read its schema history; retry later")
        }
        guard history.isOlder(schema), let older = history.schema(named: schema) else {
            throw ServerError(
                .schemaMismatch,
                "edge expects schema '\(schema)', site '\(context.siteName)' uses '\(context.schema.name)' and knows only [\(history.schemas.map(\.name).joined(separator: ", "))]: upgrade this site (a father before its sons) or configure the edge with '\(context.schema.name)'"
            )
        }
        return older
    }

    /// The JSON body decoded as `T`; malformed bodies are `BadRequest`.
    func decode<T: Decodable>(_ type: T.Type, from request: inout Request) async throws(ServerError) -> T {
        let data = try await body(of: &request)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ServerError(.badRequest, "request body is not a valid \(T.self) JSON object: \(Self.describe(error))")
        }
    }

    /// The raw body; one above ``maximumBodySize`` is `TooLarge` (413), refused unread when its
    /// `Content-Length` says so. The bytes come from ``bodyBudget`` while being read: when it is
    /// spent the request is `Unavailable` (503) rather than the process growing without bound.
    func body(of request: inout Request) async throws(ServerError) -> Data {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length, length > maximumBodySize { throw tooLarge(length) }
        var reserved = 0
        defer { bodyBudget.release(reserved) }
        if let length, length > 0 {
            guard bodyBudget.reserve(length) else { throw busy() }
            reserved = length
        }
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                let size = collected.readableBytes + chunk.readableBytes
                guard size <= maximumBodySize else { throw tooLarge(nil) }
                if size > reserved {
                    guard bodyBudget.reserve(size - reserved) else { throw busy() }
                    reserved = size
                }
                collected.writeImmutableBuffer(chunk)
            }
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.badRequest, "request body could not be read: \(error)")
        }
        return Data(buffer: collected)
    }

    private func busy() -> ServerError {
        ServerError(
            .unavailable,
            "site '\(context.siteName)' is reading \(bodyBudget.inUse) bytes of request bodies, its limit (setting requestBodyBudgetBytes "
                + "\(bodyBudget.capacity)): retry shortly"
        )
    }

    private func tooLarge(_ length: Int?) -> ServerError {
        let size = length.map { "of \($0) bytes " } ?? ""
        return ServerError(
            .tooLarge,
            "the request body \(size)is above site '\(context.siteName)''s limit of \(maximumBodySize) bytes "
                + "(setting maximumTransactionBytes): send less in one request"
        )
    }

    /// Whether the client asked for JSON delta buffers.
    func wantsJSON(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return accept.contains(ArborProtocol.jsonMediaType) && !accept.contains(ArborProtocol.deltaBuffersMediaType)
    }

    /// A JSON answer.
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers(contentType: ArborProtocol.jsonMediaType), body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A batch of delta buffers answered as the request asks (binary or JSON), cut down to
    /// the edge's older schema when it runs one (``ArborRequestContext/peerSchema``).
    /// `logIncarnation` is the log the batch's sequence belongs to (`X-Arbor-Log-Incarnation`).
    func deltas(_ batch: DeltaBatch, for request: Request, _ requestContext: ArborRequestContext, logIncarnation: UUID?) throws(ServerError) -> Response {
        var response = try deltas(batch.buffers, sequence: batch.sequence, json: wantsJSON(request), peerSchema: requestContext.peerSchema)
        Self.setLogIncarnation(logIncarnation, on: &response.headers)
        return response
    }

    /// Names the log an answer's sequence belongs to (see ``SiteContext/logIncarnation()``).
    static func setLogIncarnation(_ incarnation: UUID?, on headers: inout HTTPFields) {
        guard let incarnation else { return }
        headers[HTTPField.Name(ArborProtocol.Header.logIncarnation)!] = incarnation.uuidString.lowercased()
    }

    /// Delta buffers as concatenated binary buffers, or as JSON when asked; cut down to
    /// `peerSchema` when the edge runs that older schema.
    func deltas(_ buffers: [DeltaBuffer], sequence: Int64, json: Bool, peerSchema: DistributionSchema?) throws(ServerError) -> Response {
        let schema = peerSchema ?? context.schema
        let buffers = schema.name == context.schema.name ? buffers : buffers.map { $0.projected(onto: schema) }
        var fields = headers(contentType: json ? ArborProtocol.jsonMediaType : ArborProtocol.deltaBuffersMediaType)
        fields[HTTPField.Name(ArborProtocol.Header.sequence)!] = String(sequence)
        do {
            if json {
                let body = try DeltaBuffersJSONResponse(sequence: sequence, connectedToCenter: context.connectedToCenter(), buffers: buffers)
                    .encodeJSON(schema: schema)
                return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(data: body)))
            }
            var bytes: [UInt8] = []
            for buffer in buffers { bytes += try DeltaBufferCodec.encode(buffer, schema: schema) }
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            throw ServerError(.internalError, "could not encode delta buffers: \(error)")
        }
    }

    /// The protocol's JSON error answer, with the connected-to-center header.
    func error(_ error: ServerError) -> Response {
        context.metrics.errorAnswered(error.code)
        var response = Response(status: error.status, headers: headers(contentType: ArborProtocol.jsonMediaType), body: .init(byteBuffer: ByteBuffer(data: error.jsonBody)))
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    func headers(contentType: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[HTTPField.Name(ArborProtocol.Header.connectedToCenter)!] = context.connectedToCenter() ? "true" : "false"
        return fields
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not JSON" }
        switch decoding {
        case .keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "not valid JSON"
        }
    }
}
