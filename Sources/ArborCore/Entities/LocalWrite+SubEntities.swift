import Foundation

extension LocalWrite {
    /// Checks the sub-entity changes of `write` and turns them into sub-entity deltas at `time`.
    static func subEntityDeltas(
        _ write: EntityWrite, existing: EntityState?, in entityClass: EntityClass, at time: HybridTimestamp
    ) throws(EntityWriteError) -> [SubEntityDelta] {
        var known = existing?.subEntities ?? [:]
        var deltas: [SubEntityDelta] = []
        for change in write.subEntities {
            guard let collection = entityClass.collection(atPath: change.collection) else {
                throw EntityWriteError("collection '\(change.collection)' is not declared in \(entityClass.name)")
            }
            try checkParent(of: change, in: entityClass, known: known, entityId: write.techId)
            for (name, value) in change.fields {
                guard let field = collection.field(named: name) else {
                    throw EntityWriteError("field '\(name)' is not declared in \(entityClass.name).\(change.collection)")
                }
                do { try value.check(against: field) } catch { throw EntityWriteError(error.description) }
            }
            let current = known[change.techId]
            var fields = change.fields.mapValues { TimedValue($0, at: time) }
            switch change.operation {
            case .create:
                guard current == nil else {
                    throw EntityWriteError("sub-entity \(change.techId.uuidString) in '\(change.collection)' already exists")
                }
                for field in collection.fields where fields[field.name] == nil {
                    guard field.nullable else {
                        throw EntityWriteError("field '\(field.name)' of \(entityClass.name).\(change.collection) is required to create a sub-entity")
                    }
                    fields[field.name] = TimedValue(.null, at: time)
                }
            case .update, .delete:
                guard let current, !current.isDeleted, current.collection == change.collection else {
                    throw EntityWriteError("sub-entity \(change.techId.uuidString) in '\(change.collection)' does not exist")
                }
            }
            known[change.techId] = SubEntityState(
                collection: change.collection, techId: change.techId, parentId: change.parentId, fields: fields,
                isDeleted: change.operation == .delete, deletedTime: change.operation == .delete ? time : nil
            )
            deltas.append(SubEntityDelta(
                operation: change.operation, collection: change.collection, techId: change.techId, parentId: change.parentId,
                fields: change.operation == .delete ? [:] : fields, deletedTime: change.operation == .delete ? time : nil
            ))
        }
        return deltas
    }

    /// A top-level collection's parent is the entity; a nested one's is a live sub-entity of
    /// the enclosing collection.
    private static func checkParent(
        of change: SubEntityWrite, in entityClass: EntityClass, known: [UUID: SubEntityState], entityId: UUID
    ) throws(EntityWriteError) {
        guard let dot = change.collection.lastIndex(of: ".") else {
            guard change.parentId == entityId else {
                throw EntityWriteError("a sub-entity of '\(change.collection)' must have the entity \(entityId.uuidString) as parent")
            }
            return
        }
        let parentPath = String(change.collection[..<dot])
        guard let parent = known[change.parentId], parent.collection == parentPath, !parent.isDeleted else {
            throw EntityWriteError("parent \(change.parentId.uuidString) of a '\(change.collection)' sub-entity is not a live '\(parentPath)' sub-entity")
        }
    }
}
