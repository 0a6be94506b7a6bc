import Foundation

/// The JSON form of a ``DeltaBuffer``, for clients that do not read the binary format.
///
///     {"schemaName": "retail-v1", "originSite": "center", "sequence": 42, "deltas": [
///       {"op": "PARTIAL", "class": "Order", "techId": "UUID", "updateTime": 1700000000000000,
///        "topics": ",A,", "oldTopics": ",B," | null, "topicsTime": <µs> | null, "inCache": true,
///        "registration": null | "registerIfUnregistered" | "desynchronize" | "synchronize" | "unregister",
///        "fields": {"status": {"value": "paid", "time": <µs>}},
///        "subEntities": [{"op": "CREATE", "collection": "lines", "techId": "UUID", "parentId": "UUID",
///                         "fields": {...}}]}]}
///
/// Values follow the schema: uuid, text and json as strings; int, bigint and timestamp (µs) as
/// integers; double as a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`; bool; bytes as base64;
/// `null` for null. Output has sorted keys, so equal buffers give equal bytes. Decoding checks
/// everything against the schema, as the binary decoder does; `oldTopics`, `topicsTime`,
/// `registration`, `fields` and `subEntities` may be omitted, `inCache` defaults to true.
public enum DeltaBufferJSON {
    /// Encodes `buffer` after checking every delta against `schema`.
    public static func encode(_ buffer: DeltaBuffer, schema: DistributionSchema) throws(DeltaCodecError) -> Data {
        var json = JSONBytes(capacity: 128 + 512 * buffer.deltas.count)
        try write(buffer, schema: schema, into: &json)
        return Data(json.bytes)
    }

    /// Decodes a JSON delta buffer and checks it against `schema`.
    public static func decode(_ data: Data, schema: DistributionSchema) throws(DeltaCodecError) -> DeltaBuffer {
        let wire: WireBuffer
        do {
            wire = try JSONReader.read(data, readWireBuffer) ?? JSONDecoder().decode(WireBuffer.self, from: data)
        } catch let error as DecodingError {
            throw .malformed("JSON delta buffer: \(describe(error))")
        } catch {
            throw .malformed("JSON delta buffer could not be read")
        }
        guard wire.schemaName == schema.name else { throw .schemaMismatch(expected: schema.name, found: wire.schemaName) }
        var deltas: [Delta] = []
        for (number, delta) in wire.deltas.enumerated() {
            deltas.append(try self.delta(delta, number: number, schema: schema))
        }
        return DeltaBuffer(schemaName: wire.schemaName, originSite: wire.originSite, sequence: wire.sequence, deltas: deltas)
    }

    /// Where the JSON went wrong, by coding path; never the offending value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(let type, let context): return "wrong JSON type at \(path(context)) (expected \(type))"
        case .valueNotFound(let type, let context): return "null at \(path(context)) (expected \(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "value at \(path(context)) is not of an accepted form"
        @unknown default: return "unreadable JSON"
        }
    }
}
