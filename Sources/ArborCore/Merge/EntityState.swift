import Foundation

/// An entity as one site holds it, with the time of every field's last write (DESIGN rule 6).
public struct EntityState: Hashable, Sendable {
    public var entityClass: String
    public var techId: UUID
    /// Fixed at creation (§3.6).
    public var inCache: Bool
    /// The application topics (no `#` site topics).
    public var topics: TopicsList
    /// When `topics` was last written.
    public var topicsTime: HybridTimestamp
    /// Field values by name, the `deleted` flag included, each with its write time.
    public var fields: [String: TimedValue]
    /// Sub-entities by tech-id, deleted ones kept as tombstones so deletes converge.
    public var subEntities: [UUID: SubEntityState]

    public init(
        entityClass: String, techId: UUID, inCache: Bool = true, topics: TopicsList, topicsTime: HybridTimestamp,
        fields: [String: TimedValue], subEntities: [UUID: SubEntityState] = [:]
    ) {
        self.entityClass = entityClass
        self.techId = techId
        self.inCache = inCache
        self.topics = topics
        self.topicsTime = topicsTime
        self.fields = fields
        self.subEntities = subEntities
    }

    /// The entity's update time (§3.5): the latest write of any of its parts.
    public var updateTime: HybridTimestamp {
        var latest = topicsTime
        for timed in fields.values where timed.time > latest { latest = timed.time }
        for sub in subEntities.values where sub.updateTime > latest { latest = sub.updateTime }
        return latest
    }

    /// Whether the entity is logically deleted.
    public var isDeleted: Bool { fields[FieldDefinition.deleted.name]?.value == .bool(true) }
}

/// A sub-entity as one site holds it.
public struct SubEntityState: Hashable, Sendable {
    /// Dotted collection path in the class (`lines`, `lines.taxes`).
    public var collection: String
    public var techId: UUID
    public var parentId: UUID
    public var fields: [String: TimedValue]
    /// A deleted sub-entity stays deleted: later creates or updates of it lose (are rejected).
    public var isDeleted: Bool
    /// When it was deleted, if it was.
    public var deletedTime: HybridTimestamp?

    public init(
        collection: String, techId: UUID, parentId: UUID, fields: [String: TimedValue],
        isDeleted: Bool = false, deletedTime: HybridTimestamp? = nil
    ) {
        self.collection = collection
        self.techId = techId
        self.parentId = parentId
        self.fields = fields
        self.isDeleted = isDeleted
        self.deletedTime = deletedTime
    }

    /// The latest write of the sub-entity, its deletion included.
    public var updateTime: HybridTimestamp {
        var latest = deletedTime ?? .zero
        for timed in fields.values where timed.time > latest { latest = timed.time }
        return latest
    }
}
