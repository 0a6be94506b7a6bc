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
