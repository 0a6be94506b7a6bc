import Foundation

/// The JSON form of application writes for `POST …/delta/append`:
///
///     {"writes": [{"kind": "create" | "update" | "delete" | "purge", "class": "Order",
///                  "techId": "UUID", "topics": ",A," (create; optional on update),
///                  "inCache": true (create, default true),
///                  "fields": {"status": "open", …},
///                  "subEntities": [{"op": "CREATE" | "UPDATE" | "DELETE", "collection": "lines",
///                                   "techId": "UUID", "parentId": "UUID", "fields": {…}}]}]}
///
/// Values take the same JSON forms as in delta buffers (``DeltaBufferJSON``), checked against
/// the schema; errors name the write and field, never the value.
public enum EntityWriteJSON {
    struct Wire: Decodable, Equatable {
        var writes: [WireWrite]
    }

    struct WireWrite: Decodable, Equatable {
        var kind: String
        var entityClass: String
        var techId: String
        var topics: String?
        var inCache: Bool?
        var fields: [String: DeltaBufferJSON.WireScalar]?
        var subEntities: [WireSub]?

        enum CodingKeys: String, CodingKey {
            case kind, entityClass = "class", techId, topics, inCache, fields, subEntities
        }
    }

    struct WireSub: Decodable, Equatable {
        var op: String
        var collection: String
        var techId: String
        var parentId: String
        var fields: [String: DeltaBufferJSON.WireScalar]?
    }

    /// Decodes and type-checks writes against `schema`.
    public static func decode(_ data: Data, schema: DistributionSchema) throws(DeltaCodecError) -> [EntityWrite] {
        let wire: Wire
        do {
            wire = try JSONReader.read(data, readWire) ?? JSONDecoder().decode(Wire.self, from: data)
        } catch let error as DecodingError {
            throw .malformed("entity writes: \(DeltaBufferJSON.describe(error))")
        } catch {
            throw .malformed("entity writes could not be read as JSON")
        }
        var writes: [EntityWrite] = []
        for (number, write) in wire.writes.enumerated() {
            writes.append(try entityWrite(write, context: "write \(number)", schema: schema))
        }
        return writes
    }

    static func entityWrite(_ wire: WireWrite, context: String, schema: DistributionSchema) throws(DeltaCodecError) -> EntityWrite {
        let kind: EntityWrite.Kind
        switch wire.kind {
        case "create": kind = .create(inCache: wire.inCache ?? true)
        case "update": kind = .update
        case "delete": kind = .delete
        case "purge": kind = .purge
        default: throw .malformed("\(context): kind must be create, update, delete or purge")
        }
        guard let entityClass = schema.entityClass(named: wire.entityClass) else {
            throw .invalidAgainstSchema(.unknownClass(wire.entityClass, schema: schema.name), context: context)
        }
        let techId = try uuid(wire.techId, "techId", context)
        var topics: TopicsList?
        if let text = wire.topics {
            do { topics = try TopicsList(parsing: text) } catch { throw .malformed("\(context): topics: \(error)") }
        }
        let fields = try values(wire.fields ?? [:], lookup: entityClass.fields, owner: entityClass.name, schema: schema, context: context)
        var subEntities: [SubEntityWrite] = []
        for (subNumber, sub) in (wire.subEntities ?? []).enumerated() {
            let subContext = "\(context), sub-entity \(subNumber)"
            guard let operation = SubEntityOperation(name: sub.op) else { throw .malformed("\(subContext): op must be CREATE, UPDATE or DELETE") }
            guard let collection = entityClass.collection(atPath: sub.collection) else {
                throw .invalidAgainstSchema(.unknownCollection(sub.collection, in: entityClass.name), context: subContext)
            }
            subEntities.append(SubEntityWrite(
                operation, collection: sub.collection, techId: try uuid(sub.techId, "techId", subContext),
                parentId: try uuid(sub.parentId, "parentId", subContext),
                fields: try values(sub.fields ?? [:], lookup: collection.fields, owner: "\(entityClass.name).\(sub.collection)", schema: schema, context: subContext)
            ))
        }
        return EntityWrite(kind, entityClass: entityClass.name, techId: techId, topics: topics, fields: fields, subEntities: subEntities)
    }

    static func values(
        _ wire: [String: DeltaBufferJSON.WireScalar], lookup: [FieldDefinition], owner: String, schema: DistributionSchema, context: String
    ) throws(DeltaCodecError) -> [String: FieldValue] {
        var result: [String: FieldValue] = [:]
        for (name, scalar) in wire {
            guard let field = lookup.first(where: { $0.name == name }) else {
                throw .invalidAgainstSchema(.unknownField(name, in: owner), context: context)
            }
            result[name] = try DeltaBufferJSON.fieldValue(scalar, for: field, context: context)
        }
        return result
    }

    static func uuid(_ text: String, _ what: String, _ context: String) throws(DeltaCodecError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw .malformed("\(context): \(what) is not a UUID string") }
        return id
    }
}
