/// The wire shapes of ``EntityWriteJSON`` read with ``JSONReader``: the values their `Decodable`
/// conformances give (optional keys null or absent, unknown keys ignored); anything else throws
/// ``JSONReader/Unsupported`` and goes to `JSONDecoder`.
extension EntityWriteJSON {
    static func readWire(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> Wire {
        var writes: [WireWrite]?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "writes": try keys.insert(0); writes = try DeltaBufferJSON.readArray(&reader, readWireWrite)
            default: try reader.skipValue()
            }
        }
        guard let writes else { throw JSONReader.Unsupported() }
        return Wire(writes: writes)
    }

    static func readWireWrite(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireWrite {
        var kind: String?, entityClass: String?, techId: String?, topics: String?, inCache: Bool?
        var fields: [String: DeltaBufferJSON.WireScalar]?, subEntities: [WireSub]?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "kind": try keys.insert(0); kind = try reader.string()
            case "class": try keys.insert(1); entityClass = try reader.string()
            case "techId": try keys.insert(2); techId = try reader.string()
            case "topics": try keys.insert(3); topics = try reader.takeNull() ? nil : reader.string()
            case "inCache": try keys.insert(4); inCache = try reader.takeNull() ? nil : reader.bool()
            case "fields": try keys.insert(5); fields = try reader.takeNull() ? nil : DeltaBufferJSON.readMembers(&reader, DeltaBufferJSON.readWireScalar)
            case "subEntities": try keys.insert(6); subEntities = try reader.takeNull() ? nil : DeltaBufferJSON.readArray(&reader, readWireSub)
            default: try reader.skipValue()
            }
        }
        guard let kind, let entityClass, let techId else { throw JSONReader.Unsupported() }
        return WireWrite(kind: kind, entityClass: entityClass, techId: techId, topics: topics, inCache: inCache, fields: fields, subEntities: subEntities)
    }

    static func readWireSub(_ reader: inout JSONReader) throws(JSONReader.Unsupported) -> WireSub {
        var op: String?, collection: String?, techId: String?, parentId: String?, fields: [String: DeltaBufferJSON.WireScalar]?
        var keys = KeySet()
        try reader.object { key, reader throws(JSONReader.Unsupported) in
            switch key {
            case "op": try keys.insert(0); op = try reader.string()
            case "collection": try keys.insert(1); collection = try reader.string()
            case "techId": try keys.insert(2); techId = try reader.string()
            case "parentId": try keys.insert(3); parentId = try reader.string()
            case "fields": try keys.insert(4); fields = try reader.takeNull() ? nil : DeltaBufferJSON.readMembers(&reader, DeltaBufferJSON.readWireScalar)
            default: try reader.skipValue()
            }
        }
        guard let op, let collection, let techId, let parentId else { throw JSONReader.Unsupported() }
        return WireSub(op: op, collection: collection, techId: techId, parentId: parentId, fields: fields)
    }
}
