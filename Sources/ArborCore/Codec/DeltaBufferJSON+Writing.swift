import Foundation

/// The JSON text of ``DeltaBufferJSON``, written straight into bytes with ``JSONBytes``: keys
/// in sorted order, absent optionals of a delta as explicit `null` (a sub-entity's `deletedTime`
/// is left out), the same bytes `JSONEncoder` wrote from the wire shapes.
extension DeltaBufferJSON {
    /// Writes `buffer` after checking every delta against `schema`.
    static func write(_ buffer: DeltaBuffer, schema: DistributionSchema, into json: inout JSONBytes) throws(DeltaCodecError) {
        guard buffer.schemaName == schema.name else { throw .schemaMismatch(expected: schema.name, found: buffer.schemaName) }
        json.raw("{\"deltas\":[")
        for (number, delta) in buffer.deltas.enumerated() {
            do {
                try delta.validate(against: schema)
            } catch {
                throw .invalidAgainstSchema(error, context: "delta \(number) (\(delta.operation) \(delta.entityClass))")
            }
            if number > 0 { json.byte(UInt8(ascii: ",")) }
            write(delta, into: &json)
        }
        json.raw("],\"originSite\":")
        json.string(buffer.originSite)
        json.raw(",\"schemaName\":")
        json.string(buffer.schemaName)
        json.raw(",\"sequence\":")
        json.integer(buffer.sequence)
        json.byte(UInt8(ascii: "}"))
    }

    private static func write(_ delta: Delta, into json: inout JSONBytes) {
        json.raw("{\"class\":")
        json.string(delta.entityClass)
        json.raw(",\"fields\":")
        writeTimedFields(delta.fields, into: &json)
        json.raw(",\"inCache\":")
        json.bool(delta.inCache)
        json.raw(",\"oldTopics\":")
        if let oldTopics = delta.oldTopics { json.string(oldTopics.formatted) } else { json.null() }
        json.raw(",\"op\":")
        json.string(delta.operation.description)
        json.raw(",\"registration\":")
        if let registration = delta.registration { json.string(registration.wireName) } else { json.null() }
        json.raw(",\"subEntities\":[")
        for (index, sub) in delta.subEntities.enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            json.raw("{\"collection\":")
            json.string(sub.collection)
            if let deletedTime = sub.deletedTime {
                json.raw(",\"deletedTime\":")
                json.integer(deletedTime.microseconds)
            }
            json.raw(",\"fields\":")
            writeTimedFields(sub.fields, into: &json)
            json.raw(",\"op\":")
            json.string(sub.operation.description)
            json.raw(",\"parentId\":")
            json.uuid(sub.parentId)
            json.raw(",\"techId\":")
            json.uuid(sub.techId)
            json.byte(UInt8(ascii: "}"))
        }
        json.raw("],\"techId\":")
        json.uuid(delta.techId)
        json.raw(",\"topics\":")
        json.string(delta.topics.formatted)
        json.raw(",\"topicsTime\":")
        if let topicsTime = delta.topicsTime { json.integer(topicsTime.microseconds) } else { json.null() }
        json.raw(",\"updateTime\":")
        json.integer(delta.updateTime.microseconds)
        json.byte(UInt8(ascii: "}"))
    }

    /// `{"name": {"time": µs, "value": …}, …}` in name order.
    private static func writeTimedFields(_ fields: [String: TimedValue], into json: inout JSONBytes) {
        json.byte(UInt8(ascii: "{"))
        for (index, name) in fields.keys.sorted().enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            let timed = fields[name]!
            json.string(name)
            json.raw(":{\"time\":")
            json.integer(timed.time.microseconds)
            json.raw(",\"value\":")
            writeValue(timed.value, into: &json)
            json.byte(UInt8(ascii: "}"))
        }
        json.byte(UInt8(ascii: "}"))
    }

    /// The JSON form of `value` (already checked against its field): the forms ``fieldValue(_:for:context:)`` reads.
    static func writeValue(_ value: FieldValue, into json: inout JSONBytes) {
        switch value {
        case .null: json.null()
        case .uuid(let id): json.uuid(id)
        case .text(let text), .json(let text): json.string(text)
        case .int(let number): json.integer(Int64(number))
        case .bigint(let number), .timestamp(let number): json.integer(number)
        case .double(let number):
            if number.isNaN {
                json.raw("\"NaN\"")
            } else if number.isInfinite {
                number < 0 ? json.raw("\"-Infinity\"") : json.raw("\"Infinity\"")
            } else {
                json.double(number)
            }
        case .bool(let flag): json.bool(flag)
        case .bytes(let data): json.string(data.base64EncodedString())
        }
    }
}
