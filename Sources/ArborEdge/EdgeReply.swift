import ArborCore
import Foundation

/// One HTTP answer, reduced to what the edge reads: status, the Arbor headers and the body.
struct EdgeReply: Sendable {
    var status: Int
    var server: String
    var contentType: String?
    /// `X-Arbor-Sequence`, when present and an integer.
    var sequence: Int64?
    /// `X-Arbor-Connected-To-Center`, when present and a boolean.
    var connectedToCenter: Bool?
    /// `X-Arbor-Redirect`, when present.
    var redirect: String?
    /// `X-Arbor-Log-Incarnation`, when present and a UUID: the site log the answer's sequence belongs to.
    var logIncarnation: UUID?
    /// `X-Arbor-End-Mark`, when present: how a streamed answer marks its end.
    var endMark: String?
    var body: [UInt8]

    /// Reads the Arbor headers through `header` (a case-insensitive lookup by name).
    init(status: Int, server: String, body: [UInt8], header: (String) -> String?) {
        self.status = status
        self.server = server
        self.body = body
        contentType = header("Content-Type")
        sequence = header(ArborProtocol.Header.sequence).flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        connectedToCenter = header(ArborProtocol.Header.connectedToCenter).flatMap(Self.bool)
        redirect = header(ArborProtocol.Header.redirect)?.trimmingCharacters(in: .whitespaces)
        logIncarnation = header(ArborProtocol.Header.logIncarnation).flatMap { UUID(uuidString: $0.trimmingCharacters(in: .whitespaces)) }
        endMark = header(ArborProtocol.Header.endMark)?.trimmingCharacters(in: .whitespaces)
    }

    /// What the fail-over loop does with an answer.
    enum Disposition: Equatable {
        /// A 2xx answer: use it.
        case answered
        /// The server cannot serve now (5xx, 408, 429): try the next one.
        case serverFailed(String)
        /// The server answered the request with an error: surface it, do not fail over.
        case protocolError(EdgeError)
    }

    /// The disposition of this answer. Requests that must not be repeated (`idempotent` false)
    /// fail over only on 503, where the server did no work; other 5xx are surfaced.
    func disposition(idempotent: Bool) -> Disposition {
        switch status {
        case 200...299:
            return .answered
        case 500...599, 408, 429:
            let error = EdgeError.fromResponse(status: status, body: body, server: server)
            if idempotent || status == 503 { return .serverFailed("HTTP \(status) \(error.code): \(error.message)") }
            return .protocolError(error)
        default:
            return .protocolError(EdgeError.fromResponse(status: status, body: body, server: server))
        }
    }

    /// Decodes a JSON answer body.
    func json<T: Decodable>(_ type: T.Type) throws(EdgeError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw invalid("the \(T.self) body does not decode: \(error)")
        }
    }

    /// Decodes a delta answer: binary (concatenated buffers) or JSON, by its `Content-Type`
    /// (falling back to `requested`), with the sequence from `X-Arbor-Sequence` (for JSON, the
    /// body's when the header is missing).
    func deltaBuffers(
        schema: DistributionSchema, requested: EdgeConfiguration.Format, maximumBufferBytes: Int = DeltaBufferCodec.defaultMaxBufferSize
    ) throws(EdgeError) -> (buffers: [DeltaBuffer], sequence: Int64) {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let isJSON = mediaType.map { $0 == ArborProtocol.jsonMediaType } ?? (requested == .json)
        if isJSON {
            let response: DeltaBuffersJSONResponse
            do {
                response = try DeltaBuffersJSONResponse.decodeJSON(Data(body), schema: schema)
            } catch {
                throw codecError(error)
            }
            return (response.buffers, sequence ?? response.sequence)
        }
        if let mediaType, mediaType != ArborProtocol.deltaBuffersMediaType, mediaType != "application/octet-stream" {
            throw invalid("delta answer of unexpected type \(mediaType)")
        }
        guard let sequence else { throw invalid("delta answer without a valid \(ArborProtocol.Header.sequence) header") }
        var buffers: [DeltaBuffer]
        do {
            buffers = try Self.decodeBinary(body, schema: schema, maximumBufferBytes: maximumBufferBytes)
        } catch {
            throw codecError(error)
        }
        if let endMark {
            guard endMark == ArborProtocol.emptyBufferEndMark else { throw invalid("delta answer with an unknown \(ArborProtocol.Header.endMark) '\(endMark)'") }
            guard let last = buffers.popLast(), last.deltas.isEmpty else {
                throw invalid("the streamed delta answer stops before its end mark (\(body.count) bytes): the server failed while sending it; load again")
            }
        }
        return (buffers, sequence)
    }

    /// Splits concatenated binary delta buffers and decodes each (at most `maximumBufferBytes`) against `schema`.
    static func decodeBinary(
        _ body: [UInt8], schema: DistributionSchema, maximumBufferBytes: Int = DeltaBufferCodec.defaultMaxBufferSize
    ) throws(DeltaCodecError) -> [DeltaBuffer] {
        var framer = DeltaBufferFramer(maxBufferSize: maximumBufferBytes)
        framer.append(body)
        var buffers: [DeltaBuffer] = []
        while let frame = try framer.nextFrame() {
            buffers.append(try DeltaBufferCodec.decode(frame, schema: schema, maxBufferSize: maximumBufferBytes))
        }
        try framer.finish()
        return buffers
    }

    private func invalid(_ message: String) -> EdgeError {
        EdgeError(code: .invalidResponse, message: message, httpStatus: status, server: server)
    }

    /// A buffer of another schema is `SchemaMismatch`; any other codec failure `InvalidResponse`.
    private func codecError(_ error: DeltaCodecError) -> EdgeError {
        let code: ArborErrorCode = error.code == .schemaMismatch ? .schemaMismatch : .invalidResponse
        return EdgeError(code: code, message: "delta answer: \(error)", httpStatus: status, server: server)
    }

    private static func bool(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }
}
