import ArborCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPExchange {
    /// A delta answer written while `produce` makes its buffers (FullLoad): each buffer is
    /// encoded once, as binary or JSON as the request asks, and written to the body at once,
    /// so the first bytes leave before the last entity is read and no whole answer is held.
    ///
    /// The status is sent before the first buffer, so a failure later cannot become a JSON
    /// error: the body then stops short and the connection closes. Binary answers end with an
    /// empty delta buffer (announced by ``ArborProtocol/Header/endMark``), written only after
    /// `produce` returned; a JSON answer closes its object only then. Either way an answer cut
    /// short does not decode as a whole one.
    func streamedDeltas(
        sequence: Int64, logIncarnation: UUID?, for request: Request, _ requestContext: ArborRequestContext,
        produce: @escaping @Sendable (_ emit: (DeltaBuffer) async throws -> Void) async throws -> Void
    ) -> Response {
        let json = wantsJSON(request)
        let schema = requestContext.peerSchema ?? context.schema
        let siteSchemaName = context.schema.name
        let site = context
        var fields = headers(contentType: json ? ArborProtocol.jsonMediaType : ArborProtocol.deltaBuffersMediaType)
        fields[HTTPField.Name(ArborProtocol.Header.sequence)!] = String(sequence)
        if !json { fields[HTTPField.Name(ArborProtocol.Header.endMark)!] = ArborProtocol.emptyBufferEndMark }
        Self.setLogIncarnation(logIncarnation, on: &fields)
        let body = ResponseBody { writer in
            var first = true
            if json { try await writer.write(ByteBuffer(string: "{\"buffers\":[")) }
            try await produce { buffer in
                let buffer = schema.name == siteSchemaName ? buffer : buffer.projected(onto: schema)
                if json {
                    let encoded = try DeltaBufferJSON.encode(buffer, schema: schema)
                    var chunk = ByteBuffer()
                    chunk.reserveCapacity(encoded.count + 1)
                    if !first { chunk.writeInteger(UInt8(ascii: ",")) }
                    chunk.writeBytes(encoded)
                    try await writer.write(chunk)
                } else {
                    try await writer.write(ByteBuffer(bytes: try DeltaBufferCodec.encode(buffer, schema: schema)))
                }
                first = false
            }
            if json {
                try await writer.write(ByteBuffer(string: "],\"connectedToCenter\":\(site.connectedToCenter()),\"sequence\":\(sequence)}"))
            } else {
                let end = DeltaBuffer(schemaName: schema.name, originSite: site.siteName, sequence: sequence, deltas: [])
                try await writer.write(ByteBuffer(bytes: try DeltaBufferCodec.encode(end, schema: schema)))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: fields, body: body)
    }
}
