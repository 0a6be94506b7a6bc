/// The wire shapes of ``DeltaBufferJSON`` read with ``JSONReader``: the same values their
/// `Decodable` conformances give for the inputs the reader takes (optional keys null or absent,
/// `inCache` true by default, unknown keys ignored); anything else throws ``JSONReader/Unsupported``
/// and goes to `JSONDecoder`.
extension DeltaBufferJSON {
    static func readWireBuffer(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireBuffer {
        var schemaName: String?, originSite: String?, sequence: Int64?, deltas: [WireDelta]?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "schemaName": try keys.insert(0); schemaName = try reader.string()
            case "originSite": try keys.insert(1); originSite = try reader.string()
            case "sequence": try keys.insert(2); sequence = try reader.integer()
            case "deltas": try keys.insert(3); deltas = try readArray(&reader, readWireDelta)
            default: try reader.skipValue()
            }
        }
        guard let schemaName, let originSite, let sequence, let deltas else { throw JSONReader.Unsupported() }
        return WireBuffer(schemaName: schemaName, originSite: originSite, sequence: sequence, deltas: deltas)
    }

    static func readWireDelta(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireDelta {
        var op: String?, entityClass: String?, techId: String?, updateTime: Int64?, topics: String?
        var oldTopics: String?, topicsTime: Int64?, inCache: Bool?, registration: String?
        var fields: [String: WireField]?, subEntities: [WireSubEntity]?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "op": try keys.insert(0); op = try reader.string()
            case "class": try keys.insert(1); entityClass = try reader.string()
            case "techId": try keys.insert(2); techId = try reader.string()
            case "updateTime": try keys.insert(3); updateTime = try reader.integer()
            case "topics": try keys.insert(4); topics = try reader.string()
            case "oldTopics": try keys.insert(5); oldTopics = try reader.takeNull() ? nil : reader.string()
            case "topicsTime": try keys.insert(6); topicsTime = try reader.takeNull() ? nil : reader.integer()
            case "inCache": try keys.insert(7); inCache = try reader.takeNull() ? nil : reader.bool()
            case "registration": try keys.insert(8); registration = try reader.takeNull() ? nil : reader.string()
            case "fields": try keys.insert(9); fields = try reader.takeNull() ? nil : readMembers(&reader, readWireField)
            case "subEntities": try keys.insert(10); subEntities = try reader.takeNull() ? nil : readArray(&reader, readWireSubEntity)
            default: try reader.skipValue()
            }
        }
        guard let op, let entityClass, let techId, let updateTime, let topics else { throw JSONReader.Unsupported() }
        return WireDelta(
            op: op, entityClass: entityClass, techId: techId, updateTime: updateTime, topics: topics, oldTopics: oldTopics,
            topicsTime: topicsTime, inCache: inCache ?? true, registration: registration, fields: fields ?? [:], subEntities: subEntities ?? []
        )
    }

    static func readWireSubEntity(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireSubEntity {
        var op: String?, collection: String?, techId: String?, parentId: String?, fields: [String: WireField]?, deletedTime: Int64?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "op": try keys.insert(0); op = try reader.string()
            case "collection": try keys.insert(1); collection = try reader.string()
            case "techId": try keys.insert(2); techId = try reader.string()
            case "parentId": try keys.insert(3); parentId = try reader.string()
            case "fields": try keys.insert(4); fields = try reader.takeNull() ? nil : readMembers(&reader, readWireField)
            case "deletedTime": try keys.insert(5); deletedTime = try reader.takeNull() ? nil : reader.integer()
            default: try reader.skipValue()
            }
        }
        guard let op, let collection, let techId, let parentId else { throw JSONReader.Unsupported() }
        return WireSubEntity(op: op, collection: collection, techId: techId, parentId: parentId, fields: fields ?? [:], deletedTime: deletedTime)
    }

    static func readWireField(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireField {
        var value: WireScalar?, time: Int64?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "value": try keys.insert(0); value = try readWireScalar(&reader)
            case "time": try keys.insert(1); time = try reader.integer()
            default: try reader.skipValue()
            }
        }
        guard let value, let time else { throw JSONReader.Unsupported() }
        return WireField(value: value, time: time)
    }

    /// null, a boolean, a string or a number, as ``WireScalar/init(from:)`` reads them.
    static func readWireScalar(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireScalar {
        if reader.takeNull() { return .null }
        switch reader.peekValueStart() {
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try reader.bool())
        case UInt8(ascii: "\""): return .string(try reader.string())
        default:
            let number = try reader.number()
            return .number(number.double, integer: number.integer)
        }
    }

    /// A JSON array, each element read by `element`.
    static func readArray<Element>(
        _ reader: inout JSONReader, _ element: (inout JSONReader) throws(JSONReader.Unsupported) -> Element
    ) throws(JSONReader.Unsupported) -> [Element] {
        var elements: [Element] = []
        try reader.array { reader throws(JSONReader.Unsupported) in elements.append(try element(&reader)) }
        return elements
    }

    /// A JSON object as a dictionary, each value read by `value`; a duplicate key leaves the fast path.
    static func readMembers<Value>(
        _ reader: inout JSONReader, _ value: (inout JSONReader) throws(JSONReader.Unsupported) -> Value
    ) throws(JSONReader.Unsupported) -> [String: Value] {
        var members: [String: Value] = [:]
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            guard members.updateValue(try value(&reader), forKey: key) == nil else { throw JSONReader.Unsupported() }
        }
        return members
    }
}

extension DeltaBufferJSON.WireDelta {
    init(
        op: String, entityClass: String, techId: String, updateTime: Int64, topics: String, oldTopics: String?,
        topicsTime: Int64?, inCache: Bool, registration: String?, fields: [String: DeltaBufferJSON.WireField],
        subEntities: [DeltaBufferJSON.WireSubEntity]
    ) {
        self.op = op
        self.entityClass = entityClass
        self.techId = techId
        self.updateTime = updateTime
        self.topics = topics
        self.oldTopics = oldTopics
        self.topicsTime = topicsTime
        self.inCache = inCache
        self.registration = registration
        self.fields = fields
        self.subEntities = subEntities
    }
}

extension DeltaBufferJSON.WireSubEntity {
    init(op: String, collection: String, techId: String, parentId: String, fields: [String: DeltaBufferJSON.WireField], deletedTime: Int64?) {
        self.op = op
        self.collection = collection
        self.techId = techId
        self.parentId = parentId
        self.fields = fields
        self.deletedTime = deletedTime
    }
}
