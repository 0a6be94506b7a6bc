import Foundation

/// Turns an application's ``EntityWrite`` into the delta the entities sub-system merges as a
/// `.local` change (§2.6.1), checking it against the schema and the stored entity first.
///
/// Every written part gets the same time, a fresh hybrid-clock tick later than anything the
/// entity holds, so a local write always wins the merge.
public enum LocalWrite {
    /// Application topics may not look like site topics: `#…` is reserved for loop prevention
    /// and `arbor.…` is how slices name site topics.
    public static let reservedTopicPrefixes = ["#", "arbor."]

    /// The `.local` delta for `write` (not for a purge), given the stored entity and the time.
    public static func delta(
        for write: EntityWrite, existing: EntityState?, at time: HybridTimestamp, schema: DistributionSchema
    ) throws(EntityWriteError) -> Delta {
        let entityClass: EntityClass
        do { entityClass = try schema.requireClass(write.entityClass) } catch { throw EntityWriteError(error.description) }
        if let topics = write.topics { try checkApplicationTopics(topics) }
        let fields = try checkedFields(write.fields, in: entityClass)
        switch write.kind {
        case .create(let inCache):
            guard existing == nil else {
                throw EntityWriteError("\(write.entityClass) \(write.techId.uuidString) already exists: update it instead")
            }
            guard let topics = write.topics else { throw EntityWriteError("a create needs a topics list (use ',' for none)") }
            var all = [FieldDefinition.deleted.name: TimedValue(.bool(false), at: time)]
            for field in entityClass.fields {
                if let value = fields[field.name] {
                    all[field.name] = TimedValue(value, at: time)
                } else if field.nullable {
                    all[field.name] = TimedValue(.null, at: time)
                } else {
                    throw EntityWriteError("field '\(field.name)' of \(entityClass.name) is required to create the entity")
                }
            }
            let subs = try subEntityDeltas(write, existing: nil, in: entityClass, at: time)
            return Delta(
                operation: .create, entityClass: entityClass.name, techId: write.techId, updateTime: time,
                topics: topics, topicsTime: time, inCache: inCache, fields: all, subEntities: subs
            )
        case .update, .delete:
            guard let existing, existing.entityClass == entityClass.name else {
                throw EntityWriteError("\(write.entityClass) \(write.techId.uuidString) does not exist: create it first")
            }
            var written = fields.mapValues { TimedValue($0, at: time) }
            if write.kind == .delete { written[FieldDefinition.deleted.name] = TimedValue(.bool(true), at: time) }
            let subs = try subEntityDeltas(write, existing: existing, in: entityClass, at: time)
            guard !written.isEmpty || write.topics != nil || !subs.isEmpty else {
                throw EntityWriteError("the update of \(write.entityClass) \(write.techId.uuidString) changes nothing")
            }
            return Delta(
                operation: .partial, entityClass: entityClass.name, techId: write.techId, updateTime: time,
                topics: write.topics ?? existing.topics, oldTopics: existing.topics,
                topicsTime: write.topics == nil ? nil : time, inCache: existing.inCache, fields: written, subEntities: subs
            )
        case .purge:
            throw EntityWriteError("a purge is not merged; it removes the entity and emits a DELETE")
        }
    }

    /// Refuses site-topic look-alikes in application topics.
    public static func checkApplicationTopics(_ topics: TopicsList) throws(EntityWriteError) {
        for entry in topics.entries {
            if let prefix = reservedTopicPrefixes.first(where: { entry.hasPrefix($0) }) {
                throw EntityWriteError("topic '\(entry)' starts with '\(prefix)', which is reserved for Arbor's site topics")
            }
        }
    }

    static func checkedFields(_ fields: [String: FieldValue], in entityClass: EntityClass) throws(EntityWriteError) -> [String: FieldValue] {
        for (name, value) in fields {
            guard let field = entityClass.fields.first(where: { $0.name == name }) else {
                let hint = name == FieldDefinition.deleted.name ? " (use a delete to set it)" : ""
                throw EntityWriteError("field '\(name)' is not declared in \(entityClass.name)\(hint)")
            }
            do { try value.check(against: field) } catch { throw EntityWriteError(error.description) }
        }
        return fields
    }
}
