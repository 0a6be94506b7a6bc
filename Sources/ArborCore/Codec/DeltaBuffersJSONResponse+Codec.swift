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
        let wire: Wire
        do {
            wire = try JSONReader.read(data, Wire.read) ?? JSONDecoder().decode(Wire.self, from: data)
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

extension DeltaBuffersJSONResponse {
    struct Wire: Decodable, Equatable {
        var sequence: Int64
        var connectedToCenter: Bool
        var buffers: [DeltaBufferJSON.WireBuffer]

        /// The same value as `Decodable` gives, through ``JSONReader`` (see ``DeltaBufferJSON/readWireBuffer(_:)``).
        static func read(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> Wire {
            var sequence: Int64?, connectedToCenter: Bool?, buffers: [DeltaBufferJSON.WireBuffer]?
            var keys = KeySet()
            try reader.object { key, reader throws(JSONReader.Unsupported) in
                switch key {
                case "sequence": try keys.insert(0); sequence = try reader.integer()
                case "connectedToCenter": try keys.insert(1); connectedToCenter = try reader.bool()
                case "buffers": try keys.insert(2); buffers = try DeltaBufferJSON.readArray(&reader, DeltaBufferJSON.readWireBuffer)
                default: try reader.skipValue()
                }
            }
            guard let sequence, let connectedToCenter, let buffers else { throw JSONReader.Unsupported() }
            return Wire(sequence: sequence, connectedToCenter: connectedToCenter, buffers: buffers)
        }
    }
}
