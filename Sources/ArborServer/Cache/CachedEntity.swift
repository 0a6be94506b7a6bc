import ArborCore
import ArborStore

/// One entity as a cache server holds it (§3.6): whole when it is kept in cache, only its
/// header (tech-id, topics, update time, deleted flag) otherwise.
public enum CachedEntity: Hashable, Sendable {
    /// An `inCache` entity, with every field, topic and sub-entity and their write times.
    case whole(EntityState)
    /// An entity kept out of the cache; a load fetches it through the `DeltaObjectsReader`.
    case header(EntityHeader)

    /// The entity as the cache keeps it: whole when `inCache`, else its header.
    public init(_ state: EntityState) {
        if state.inCache {
            self = .whole(state)
        } else {
            self = .header(EntityHeader(key: state.key, topics: state.topics, updateTime: state.updateTime, isDeleted: state.isDeleted))
        }
    }

    /// The entity's class and tech-id.
    public var key: EntityKey {
        switch self {
        case .whole(let state): return state.key
        case .header(let header): return header.key
        }
    }

    /// The application topics (no `#` site topics).
    public var topics: TopicsList {
        switch self {
        case .whole(let state): return state.topics
        case .header(let header): return header.topics
        }
    }

    /// The latest write of any part of the entity (§3.5).
    public var updateTime: HybridTimestamp {
        switch self {
        case .whole(let state): return state.updateTime
        case .header(let header): return header.updateTime
        }
    }

    /// Whether the entity is logically deleted (DESIGN rule 8).
    public var isDeleted: Bool {
        switch self {
        case .whole(let state): return state.isDeleted
        case .header(let header): return header.isDeleted
        }
    }

    /// The whole entity, nil for a header.
    public var state: EntityState? {
        if case .whole(let state) = self { return state }
        return nil
    }
}

extension CachedEntity {
    /// What the cache holds for an entity after one delta of the site's log, as a pure rule
    /// (nil: the cache no longer holds it).
    ///
    /// CREATE and FULL carry the whole entity and replace what is held (application topics
    /// only: the cache server ignores `#` topics, §2.1.1.1). PARTIAL and UPDATE are merged into
    /// a whole entity with the log's delta winning ties (it is already the site's accepted
    /// state); for a header they move the topics, update time and deleted flag. DELETE (a
    /// physical purge, §2.5) removes the entity; REGISTER only routes and changes nothing.
    public static func applying(_ delta: Delta, to current: CachedEntity?) -> CachedEntity? {
        switch delta.operation {
        case .create, .full:
            guard let created = EntityState(creating: delta) else { return current }
            return CachedEntity(created)
        case .partial, .update:
            switch current {
            case .none:
                // The log never changes an entity it did not create first; nothing to merge into.
                return nil
            case .whole(let state):
                return EntityMerge.apply(delta, to: state, from: .father).state.map(CachedEntity.whole) ?? current
            case .header(var header):
                header.topics = delta.topics.applicationTopics
                header.updateTime = max(header.updateTime, delta.updateTime)
                if let deleted = delta.fields[FieldDefinition.deleted.name] {
                    header.isDeleted = deleted.value == .bool(true)
                }
                return .header(header)
            }
        case .delete:
            return nil
        case .register:
            return current
        }
    }
}
