import Foundation

extension DistributionSchema {
    /// Decodes and validates a schema from the JSON file format kept in `Schemas/`.
    public static func decodeJSON(_ data: Data) throws(SchemaError) -> DistributionSchema {
        let decoded: DistributionSchema
        do {
            decoded = try JSONDecoder().decode(DistributionSchema.self, from: data)
        } catch let error as DecodingError {
            throw .malformedFile(Self.describe(error))
        } catch {
            throw .malformedFile("\(error)")
        }
        try decoded.validate()
        return decoded
    }

    /// The schema as pretty, key-sorted JSON (stable: it is stored and compared as text, §4.4).
    public func encodeJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain strings, booleans and arrays cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong value at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}
