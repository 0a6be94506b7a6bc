import Foundation

extension EntityState {
    /// The entity a CREATE or FULL delta carries whole; nil for any other operation, which does
    /// not carry the whole entity.
    ///
    /// The topics are the delta's application topics (site topics dropped); without a
    /// `topicsTime` they count as written at the delta's update time, with the entity.
    public init?(creating delta: Delta) {
        guard delta.operation == .create || delta.operation == .full else { return nil }
        var subEntities: [UUID: SubEntityState] = [:]
        var tally = MergeTally()
        SubEntityMerge.merge(delta.subEntities, deltaTime: delta.updateTime, into: &subEntities, tally: &tally)
        self.init(
            entityClass: delta.entityClass, techId: delta.techId, inCache: delta.inCache,
            topics: delta.topics.applicationTopics, topicsTime: delta.topicsTime ?? delta.updateTime,
            fields: delta.fields, subEntities: subEntities
        )
    }

    /// A delta carrying the whole entity: every field with its time, the topics time, `inCache`,
    /// live sub-entities as sub-CREATEs with all their fields and tombstones as sub-DELETEs.
    ///
    /// Used for emitted CREATE and FULL deltas, and by cache servers building create-deltas for
    /// loads. `topics` is the routing list (site topics included); pass `oldTopics: nil` for a CREATE.
    public func delta(_ operation: DeltaOperation, topics: TopicsList, oldTopics: TopicsList?) -> Delta {
        Delta(
            operation: operation, entityClass: entityClass, techId: techId, updateTime: updateTime,
            topics: topics, oldTopics: oldTopics, topicsTime: topicsTime, inCache: inCache,
            fields: fields, subEntities: subEntityDeltas
        )
    }

    /// Every sub-entity as a sub-delta, parents' collections before nested ones, then by tech-id,
    /// so the same state always yields the same delta.
    var subEntityDeltas: [SubEntityDelta] {
        subEntities.values
            .sorted { ($0.collection, $0.techId.uuidString) < ($1.collection, $1.techId.uuidString) }
            .map { sub in
                SubEntityDelta(
                    operation: sub.isDeleted ? .delete : .create, collection: sub.collection,
                    techId: sub.techId, parentId: sub.parentId, fields: sub.isDeleted ? [:] : sub.fields,
                    deletedTime: sub.isDeleted ? sub.deletedTime : nil
                )
            }
    }
}
