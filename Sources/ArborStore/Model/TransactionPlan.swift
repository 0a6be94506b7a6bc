import ArborCore

/// What one write transaction stores, decided by pure code from the entities it loaded.
public struct TransactionPlan<Result: Sendable>: Sendable {
    /// Entities to insert or replace whole (rows and sub-entity rows).
    public var upserts: [EntityState]
    /// Entities to remove physically (purge, DESIGN rule 8).
    public var purges: [EntityKey]
    /// Deltas appended to the log as one buffer; no log record when empty.
    public var deltas: [Delta]
    /// Site-state values written in the same transaction (e.g. a link's applied position),
    /// so they commit exactly when the data does.
    public var siteState: [String: String]
    /// Site counters (``SiteCounter``, e.g. a link's applied position) written in the same
    /// transaction, so they commit exactly when the data does.
    public var siteCounters: [String: Int64]
    /// Site counters (absent = 0) that must still hold these values when the plan is written,
    /// else the transaction rolls back with `.conflict`: another server process of the site
    /// moved the position meanwhile, so applying again would apply twice.
    public var positionPreconditions: [String: Int64]
    /// What the caller gets back.
    public var result: Result
    /// The largest encoded log buffer the plan may commit; a larger one rolls the transaction
    /// back with `.tooLarge` (issue 10 item 7), so no decoder of the tree meets a buffer it refuses.
    public var maximumBufferBytes: Int = WriteLimits.defaultMaximumTransactionBytes
    /// The append request this transaction answers (issue 10 item 13): recorded with the log
    /// sequence in the same transaction. When the same client and id are already recorded, the
    /// transaction rolls back with `.alreadyApplied` (a concurrent duplicate committed first).
    public var appendRequest: AppendRequestRecord?

    public init(
        upserts: [EntityState] = [], purges: [EntityKey] = [], deltas: [Delta] = [],
        siteState: [String: String] = [:], siteCounters: [String: Int64] = [:], positionPreconditions: [String: Int64] = [:],
        result: Result
    ) {
        self.upserts = upserts
        self.purges = purges
        self.deltas = deltas
        self.siteState = siteState
        self.siteCounters = siteCounters
        self.positionPreconditions = positionPreconditions
        self.result = result
    }

    /// The refusal when `key` holds `found` instead of `expected`.
    static func positionMoved(_ key: String, found: Int64, expected: Int64) -> StoreError {
        StoreError(.conflict, "site counter '\(key)' is \(found), not \(expected): another server process applied this meanwhile")
    }
}

/// The outcome of a committed write.
public struct WriteReceipt<Result: Sendable>: Sendable {
    /// The log sequence of the transaction's buffer; nil when it appended no deltas.
    public var sequence: Int64?
    public var result: Result

    public init(sequence: Int64?, result: Result) {
        self.sequence = sequence
        self.result = result
    }
}

/// One committed transaction in the log: its sequence and encoded delta buffer.
public struct LogRecord: Hashable, Sendable {
    public var sequence: Int64
    /// The delta buffer (``DeltaBufferCodec`` format), stamped with `sequence`.
    public var buffer: [UInt8]

    public init(sequence: Int64, buffer: [UInt8]) {
        self.sequence = sequence
        self.buffer = buffer
    }
}

/// A consistent read of all entities as of one sequence.
public struct StoreSnapshot: Sendable {
    /// The last sequence whose effects the snapshot contains.
    public var sequence: Int64
    /// Whole entities (those with `inCache`).
    public var entities: [EntityState]
    /// Headers of entities kept out of cache servers' memory.
    public var headers: [EntityHeader]

    public init(sequence: Int64, entities: [EntityState], headers: [EntityHeader]) {
        self.sequence = sequence
        self.entities = entities
        self.headers = headers
    }
}

extension StoreSnapshot {
    /// The update time of every entity held, whole or header only, whose topics `matches`.
    public func updateTimes(where matches: (TopicsList) -> Bool) -> [EntityKey: HybridTimestamp] {
        var times: [EntityKey: HybridTimestamp] = [:]
        for entity in entities where matches(entity.topics) { times[EntityKey(entity.entityClass, entity.techId)] = entity.updateTime }
        for header in headers where matches(header.topics) { times[header.key] = header.updateTime }
        return times
    }
}

/// The header fields of an entity (§3.6): what a cache server keeps for non-`inCache` ones.
public struct EntityHeader: Hashable, Sendable {
    public var key: EntityKey
    public var topics: TopicsList
    public var updateTime: HybridTimestamp
    public var isDeleted: Bool

    public init(key: EntityKey, topics: TopicsList, updateTime: HybridTimestamp, isDeleted: Bool) {
        self.key = key
        self.topics = topics
        self.updateTime = updateTime
        self.isDeleted = isDeleted
    }
}

/// The schema as stored in the database (§4.4).
public struct StoredSchema: Hashable, Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

extension StoreError {
    /// Refuses an encoded log buffer of `count` bytes above `limit` (issue 10 item 7).
    static func checkBufferSize(_ count: Int, limit: Int) throws(StoreError) {
        guard count <= limit else {
            throw StoreError(
                .tooLarge,
                "the transaction's deltas encode to \(count) bytes, more than the limit of \(limit) bytes "
                    + "(setting maximumTransactionBytes): write less in one transaction, or raise the limit at every site and edge"
            )
        }
    }
}
