import ArborCore
import ArborStore
import Foundation
import HashTreeCollections

/// The cache server's in-memory copy of the site's entities as of exactly one sequence
/// (DESIGN rule 10). A persistent dictionary: copying a snapshot is O(1), so a load keeps
/// reading its copy while the log follower builds the next one.
public struct CacheSnapshot: Sendable {
    /// The last log sequence whose effects the snapshot contains.
    public private(set) var sequence: Int64
    /// Every entity of the site: whole when `inCache`, else its header.
    public private(set) var entities: TreeDictionary<EntityKey, CachedEntity>

    /// An empty cache at sequence 0.
    public init() {
        sequence = 0
        entities = [:]
    }

    /// The cache built from a consistent read of the store.
    public init(_ snapshot: StoreSnapshot) {
        sequence = snapshot.sequence
        var entities = TreeDictionary<EntityKey, CachedEntity>()
        for state in snapshot.entities { entities[state.key] = CachedEntity(state) }
        for header in snapshot.headers { entities[header.key] = .header(header) }
        self.entities = entities
    }

    /// The entity held for `key`, nil when the site does not hold it.
    public subscript(key: EntityKey) -> CachedEntity? { entities[key] }

    /// Whether the cache holds an entity of one of `classes` with this tech-id.
    public func holds(_ techId: UUID, classes: [String]) -> Bool {
        classes.contains { entities[EntityKey($0, techId)] != nil }
    }

    /// How many entities the cache holds (logically deleted ones included).
    public var count: Int { entities.count }

    /// Applies one committed transaction of the site's log, in order. A buffer at or below
    /// ``sequence`` is already reflected and is skipped, so re-reading the log is harmless.
    /// Returns whether the buffer was applied.
    @discardableResult
    public mutating func apply(_ buffer: DeltaBuffer) -> Bool {
        guard buffer.sequence > sequence else { return false }
        for delta in buffer.deltas {
            entities[delta.key] = CachedEntity.applying(delta, to: entities[delta.key])
        }
        sequence = buffer.sequence
        return true
    }
}
