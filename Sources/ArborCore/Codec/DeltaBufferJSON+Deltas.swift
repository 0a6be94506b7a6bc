import Foundation

extension DeltaBufferJSON {
    static func delta(_ wire: WireDelta, number: Int, schema: DistributionSchema) throws(DeltaCodecError) -> Delta {
        var context = "delta \(number)"
        guard let operation = DeltaOperation(name: wire.op) else {
            throw .malformed("\(context): unknown op '\(wire.op)' (expected one of \(DeltaOperation.allCases.map(\.description)))")
        }
        let entityClass: EntityClass
        do {
            entityClass = try schema.requireClass(wire.entityClass)
        } catch {
            throw .invalidAgainstSchema(error, context: context)
        }
        context = "delta \(number) (\(operation) \(entityClass.name))"
        let registration: RegistrationChange?
        if let name = wire.registration {
            guard let change = RegistrationChange(wireName: name) else {
                throw .malformed("\(context): unknown registration '\(name)' (expected one of \(RegistrationChange.codecOrder.map(\.wireName)))")
            }
            registration = change
        } else {
            registration = nil
        }
        var fields: [String: TimedValue] = [:]
        for (name, field) in wire.fields {
            guard let definition = entityClass.field(named: name) else {
                throw .invalidAgainstSchema(.unknownField(name, in: entityClass.name), context: context)
            }
            fields[name] = TimedValue(try fieldValue(field.value, for: definition, context: context), at: HybridTimestamp(microseconds: field.time))
        }
        var subEntities: [SubEntityDelta] = []
        for (subNumber, sub) in wire.subEntities.enumerated() {
            subEntities.append(try subEntity(sub, in: entityClass, context: "\(context), sub-entity \(subNumber)"))
        }
        return Delta(
            operation: operation, entityClass: entityClass.name, techId: try uuid(wire.techId, "techId", context: context),
            updateTime: HybridTimestamp(microseconds: wire.updateTime), topics: try topics(wire.topics, "topics", context: context),
            oldTopics: try wire.oldTopics.map { text throws(DeltaCodecError) in try topics(text, "oldTopics", context: context) },
            topicsTime: wire.topicsTime.map(HybridTimestamp.init(microseconds:)), inCache: wire.inCache,
            fields: fields, subEntities: subEntities, registration: registration
        )
    }

    private static func subEntity(_ wire: WireSubEntity, in entityClass: EntityClass, context: String) throws(DeltaCodecError) -> SubEntityDelta {
        guard let operation = SubEntityOperation(name: wire.op) else {
            throw .malformed("\(context): unknown op '\(wire.op)' (expected one of \(SubEntityOperation.allCases.map(\.description)))")
        }
        guard let collection = entityClass.collection(atPath: wire.collection) else {
            throw .invalidAgainstSchema(.unknownCollection(wire.collection, in: entityClass.name), context: context)
        }
        var fields: [String: TimedValue] = [:]
        for (name, field) in wire.fields {
            guard let definition = collection.field(named: name) else {
                throw .invalidAgainstSchema(.unknownField(name, in: "\(entityClass.name).\(wire.collection)"), context: context)
            }
            fields[name] = TimedValue(try fieldValue(field.value, for: definition, context: context), at: HybridTimestamp(microseconds: field.time))
        }
        return SubEntityDelta(
            operation: operation, collection: wire.collection, techId: try uuid(wire.techId, "techId", context: context),
            parentId: try uuid(wire.parentId, "parentId", context: context), fields: fields,
            deletedTime: wire.deletedTime.map(HybridTimestamp.init(microseconds:))
        )
    }

    private static func uuid(_ text: String, _ what: String, context: String) throws(DeltaCodecError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw .malformed("\(context): \(what) is not a UUID string") }
        return id
    }

    private static func topics(_ text: String, _ what: String, context: String) throws(DeltaCodecError) -> TopicsList {
        do {
            return try TopicsList(parsing: text)
        } catch {
            throw .malformed("\(context): \(what) is not a valid topics list: \(error)")
        }
    }
}
