import Foundation

extension DeltaBuffersJSONResponse {
    /// `{"sequence": …, "connectedToCenter": …, "buffers": [<JSON delta buffer>, …]}`.
    public func encodeJSON(schema: DistributionSchema) throws(DeltaCodecError) -> Data {
        var body = Data("{\"buffers\":[".utf8)
        for (index, buffer) in buffers.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(try DeltaBufferJSON.encode(buffer, schema: schema))
        }
        body.append(Data("],\"connectedToCenter\":\(connectedToCenter),\"sequence\":\(sequence)}".utf8))
        return body
    }

    /// Decodes the JSON form, checking every buffer against `schema`.
    public static func decodeJSON(_ data: Data, schema: DistributionSchema) throws(DeltaCodecError) -> DeltaBuffersJSONResponse {
        struct Wire: Decodable {
            var sequence: Int64
            var connectedToCenter: Bool
            var buffers: [DeltaBufferJSON.WireBuffer]
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch let error as DecodingError {
            throw .malformed("JSON delta buffers: \(DeltaBufferJSON.describe(error))")
        } catch {
            throw .malformed("JSON delta buffers could not be read")
        }
        var buffers: [DeltaBuffer] = []
        for buffer in wire.buffers {
            guard buffer.schemaName == schema.name else { throw .schemaMismatch(expected: schema.name, found: buffer.schemaName) }
            var deltas: [Delta] = []
            for (number, delta) in buffer.deltas.enumerated() {
                deltas.append(try DeltaBufferJSON.delta(delta, number: number, schema: schema))
            }
            buffers.append(DeltaBuffer(schemaName: buffer.schemaName, originSite: buffer.originSite, sequence: buffer.sequence, deltas: deltas))
        }
        return DeltaBuffersJSONResponse(sequence: wire.sequence, connectedToCenter: wire.connectedToCenter, buffers: buffers)
    }
}
