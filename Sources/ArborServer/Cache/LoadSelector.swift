import ArborCore
import ArborStore
import Foundation

/// Which entities of a cache snapshot a load sends, as pure rules (§2.2–§2.4).
///
/// Selection is load-mode evaluation: the cache server's topics (`#` topics ignored) and the
/// slice's time windows checked against `now` (§2.1.2).
public struct LoadSelector: Sendable {
    /// The client's slice.
    public var slice: TopicsSlice
    /// The wall-clock time time windows are measured from.
    public var now: HybridTimestamp

    public init(slice: TopicsSlice, now: HybridTimestamp) {
        self.slice = slice
        self.now = now
    }

    /// Whether the slice selects the entity at `now`.
    public func selects(_ entity: CachedEntity) -> Bool {
        slice.selectsForLoad(entity.topics, updateTime: entity.updateTime, now: now)
    }

    /// Whether a `!T` of the slice blocks the entity even where registration would send it (§2.1.3).
    public func blocksByNegation(_ entity: CachedEntity) -> Bool {
        !slice.negatedTopics.isDisjoint(with: entity.topics.cacheServerTopics)
    }

    /// FullLoad (§2.2): every selected entity that is not logically deleted.
    public func fullLoad(_ snapshot: CacheSnapshot) -> [CachedEntity] {
        snapshot.entities.values.filter { !$0.isDeleted && selects($0) }
    }

    /// PartialLoad (§2.3): the selected, not deleted entities that `isRegistered` says the
    /// client does not hold yet.
    public func partialLoad(_ snapshot: CacheSnapshot, isRegistered: (UUID) -> Bool) -> [CachedEntity] {
        fullLoad(snapshot).filter { !isRegistered($0.key.techId) }
    }

    /// SyncLoad (§2.4): entities selected by the slice or registered for the client (unless a
    /// `!T` blocks them), changed after `lastTransmissionTime`; logically deleted ones too, so
    /// a reconnecting client learns of the delete.
    public func syncLoad(
        _ snapshot: CacheSnapshot, lastTransmissionTime: HybridTimestamp, isRegistered: (UUID) -> Bool
    ) -> [CachedEntity] {
        snapshot.entities.values.filter { entity in
            guard entity.updateTime > lastTransmissionTime else { return false }
            return selects(entity) || (isRegistered(entity.key.techId) && !blocksByNegation(entity))
        }
    }

    /// SelectMinus (§2.3): entities `oldSlice` selects and `newSlice` does not, deleted ones left
    /// out (the client holds no copy of them to remove).
    public static func minus(
        _ snapshot: CacheSnapshot, oldSlice: TopicsSlice, newSlice: TopicsSlice, now: HybridTimestamp
    ) -> [EntityKey] {
        let old = LoadSelector(slice: oldSlice, now: now)
        let new = LoadSelector(slice: newSlice, now: now)
        return snapshot.entities.values.filter { !$0.isDeleted && old.selects($0) && !new.selects($0) }.map(\.key)
    }
}
