import ArborCore

/// Which entities one client may write (§5.6, issue 11 item 2), decided from an entity's topics.
///
/// The entities sub-system asks it inside the write transaction, about the entity as that
/// transaction locked and loaded it (``EntityWriteSide/before``) and about the topics the write
/// would leave it with (``EntityWriteSide/after``): a concurrent writer cannot move an entity
/// between the check and the write. Deciding is pure and synchronous; a plug that needs to wait
/// (files, services) does so before the transaction, when it makes the value.
public protocol EntityWritePermit: Sendable {
    /// Why the client may not write `entity` holding `topics` on `side`; nil when it may.
    /// The answer names the entity and the topic and says what to change.
    func refusal(for entity: EntityKey, topics: TopicsList, side: EntityWriteSide) -> String?
}

/// Which state of an entity a write permit is asked about.
public enum EntityWriteSide: Hashable, Sendable {
    /// As stored now (an update, delete or purge; a create of an entity that exists).
    case before
    /// As the write would leave it (not asked for a purge).
    case after
}

/// Every write is permitted: a site without permits, or the site's own process.
public struct UnrestrictedWrites: EntityWritePermit {
    public init() {}

    public func refusal(for entity: EntityKey, topics: TopicsList, side: EntityWriteSide) -> String? { nil }
}

