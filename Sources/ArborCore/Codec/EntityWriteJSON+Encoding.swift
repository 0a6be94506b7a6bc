import Foundation

extension EntityWriteJSON {
    /// The JSON body for `POST …/delta/append` (the inverse of ``decode(_:schema:)``); values
    /// are checked against `schema` first so nothing unreadable is sent. Keys are written in
    /// sorted order; `topics` and `inCache` only where the write has them.
    public static func encode(_ writes: [EntityWrite], schema: DistributionSchema) throws(DeltaCodecError) -> Data {
        var json = JSONBytes(capacity: 32 + 384 * writes.count)
        json.raw("{\"writes\":[")
        for (number, write) in writes.enumerated() {
            let context = "write \(number)"
            guard let entityClass = schema.entityClass(named: write.entityClass) else {
                throw .invalidAgainstSchema(.unknownClass(write.entityClass, schema: schema.name), context: context)
            }
            for sub in write.subEntities {
                guard let collection = entityClass.collection(atPath: sub.collection) else {
                    throw .invalidAgainstSchema(.unknownCollection(sub.collection, in: entityClass.name), context: context)
                }
                try check(sub.fields, lookup: collection.fields, context: context)
            }
            try check(write.fields, lookup: entityClass.fields, context: context)
            if number > 0 { json.byte(UInt8(ascii: ",")) }
            Self.write(write, into: &json)
        }
        json.raw("]}")
        return Data(json.bytes)
    }

    private static func write(_ write: EntityWrite, into json: inout JSONBytes) {
        json.raw("{\"class\":")
        json.string(write.entityClass)
        json.raw(",\"fields\":")
        writeFields(write.fields, into: &json)
        let kind: StaticString
        switch write.kind {
        case .create(let inCache):
            json.raw(",\"inCache\":")
            json.bool(inCache)
            kind = "\"create\""
        case .update: kind = "\"update\""
        case .delete: kind = "\"delete\""
        case .purge: kind = "\"purge\""
        }
        json.raw(",\"kind\":")
        json.raw(kind)
        json.raw(",\"subEntities\":[")
        for (index, sub) in write.subEntities.enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            json.raw("{\"collection\":")
            json.string(sub.collection)
            json.raw(",\"fields\":")
            writeFields(sub.fields, into: &json)
            json.raw(",\"op\":")
            json.string(sub.operation.description)
            json.raw(",\"parentId\":")
            json.uuid(sub.parentId)
            json.raw(",\"techId\":")
            json.uuid(sub.techId)
            json.byte(UInt8(ascii: "}"))
        }
        json.raw("],\"techId\":")
        json.uuid(write.techId)
        if let topics = write.topics {
            json.raw(",\"topics\":")
            json.string(topics.formatted)
        }
        json.byte(UInt8(ascii: "}"))
    }

    /// `{"name": value, …}` in name order.
    private static func writeFields(_ values: [String: FieldValue], into json: inout JSONBytes) {
        json.byte(UInt8(ascii: "{"))
        for (index, name) in values.keys.sorted().enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            json.string(name)
            json.byte(UInt8(ascii: ":"))
            DeltaBufferJSON.writeValue(values[name]!, into: &json)
        }
        json.byte(UInt8(ascii: "}"))
    }

    /// Refuses a field `lookup` does not declare or a value that does not fit its field.
    private static func check(_ values: [String: FieldValue], lookup: [FieldDefinition], context: String) throws(DeltaCodecError) {
        for (name, value) in values {
            guard let field = lookup.first(where: { $0.name == name }) else {
                throw .invalidAgainstSchema("\(context): field '\(name)' is not declared")
            }
            do { try value.check(against: field) } catch { throw .invalidAgainstSchema(error, context: context) }
        }
    }
}
