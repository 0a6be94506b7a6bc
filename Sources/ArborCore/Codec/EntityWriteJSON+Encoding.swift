import Foundation

extension EntityWriteJSON {
    private struct WireOut: Encodable {
        var writes: [WriteOut]
    }

    private struct WriteOut: Encodable {
        var kind: String
        var entityClass: String
        var techId: String
        var topics: String?
        var inCache: Bool?
        var fields: [String: DeltaBufferJSON.WireScalar]
        var subEntities: [SubOut]

        enum CodingKeys: String, CodingKey {
            case kind, entityClass = "class", techId, topics, inCache, fields, subEntities
        }
    }

    private struct SubOut: Encodable {
        var op: String
        var collection: String
        var techId: String
        var parentId: String
        var fields: [String: DeltaBufferJSON.WireScalar]
    }

    /// The JSON body for `POST …/delta/append` (the inverse of ``decode(_:schema:)``); values
    /// are checked against `schema` first so nothing unreadable is sent.
    public static func encode(_ writes: [EntityWrite], schema: DistributionSchema) throws(DeltaCodecError) -> Data {
        var out: [WriteOut] = []
        for (number, write) in writes.enumerated() {
            let context = "write \(number)"
            guard let entityClass = schema.entityClass(named: write.entityClass) else {
                throw .invalidAgainstSchema(.unknownClass(write.entityClass, schema: schema.name), context: context)
            }
            let (kind, inCache): (String, Bool?) = switch write.kind {
            case .create(let inCache): ("create", inCache)
            case .update: ("update", nil)
            case .delete: ("delete", nil)
            case .purge: ("purge", nil)
            }
            var subs: [SubOut] = []
            for sub in write.subEntities {
                guard let collection = entityClass.collection(atPath: sub.collection) else {
                    throw .invalidAgainstSchema(.unknownCollection(sub.collection, in: entityClass.name), context: context)
                }
                subs.append(SubOut(
                    op: sub.operation.description, collection: sub.collection, techId: sub.techId.uuidString,
                    parentId: sub.parentId.uuidString, fields: try scalars(sub.fields, lookup: collection.fields, context: context)
                ))
            }
            out.append(WriteOut(
                kind: kind, entityClass: write.entityClass, techId: write.techId.uuidString, topics: write.topics?.formatted,
                inCache: inCache, fields: try scalars(write.fields, lookup: entityClass.fields, context: context), subEntities: subs
            ))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(WireOut(writes: out)) } catch { throw .malformed("entity writes could not be written as JSON") }
    }

    private static func scalars(
        _ values: [String: FieldValue], lookup: [FieldDefinition], context: String
    ) throws(DeltaCodecError) -> [String: DeltaBufferJSON.WireScalar] {
        var result: [String: DeltaBufferJSON.WireScalar] = [:]
        for (name, value) in values {
            guard let field = lookup.first(where: { $0.name == name }) else {
                throw .invalidAgainstSchema("\(context): field '\(name)' is not declared")
            }
            do { try value.check(against: field) } catch { throw .invalidAgainstSchema(error, context: context) }
            result[name] = DeltaBufferJSON.wireScalar(value)
        }
        return result
    }
}
