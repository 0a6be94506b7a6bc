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

    /// SyncLoad (§2.4): entities selected by the slice or registered for the client, changed
    /// after `lastTransmissionTime`; logically deleted ones too, so a reconnecting client learns
    /// of the delete.
    ///
    /// A registered entity a `!T` of the slice blocks is treated as steady-state routing treats
    /// its changes (DESIGN rule 1): a son gets it — it learns of the negated topic and drops
    /// the entity — and an application client does not (`withheld`: it becomes
    /// registered-unsynchronized, so its next delivery of the entity is a FULL). Leaving it out
    /// and registered as it was would leave the client's copy stale for good: the load's
    /// position passes the changes that moved it.
    public func syncLoad(
        _ snapshot: CacheSnapshot, lastTransmissionTime: HybridTimestamp, toSon: Bool, isRegistered: (UUID) -> Bool
    ) -> (send: [CachedEntity], withheld: [UUID]) {
        var send: [CachedEntity] = []
        var withheld: [UUID] = []
        for entity in snapshot.entities.values where entity.updateTime > lastTransmissionTime {
            if selects(entity) {
                send.append(entity)
            } else if isRegistered(entity.key.techId) {
                if toSon || !blocksByNegation(entity) { send.append(entity) } else { withheld.append(entity.key.techId) }
            }
        }
        return (send, withheld)
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
