import ArborCore
import ArborStore
import Logging

/// Fetches whole entities for the cache server (§5.3); entities not kept in cache (`inCache`
/// false) are read through it when a load needs them.
public protocol DeltaObjectsReader: Sendable {
    func entities(_ keys: Set<EntityKey>) async throws -> [EntityState]
}

/// Tells the entities sub-system about subscriptions and snapshots (§5.4).
public protocol CacheNotifier: Sendable {
    /// A client's subscription changed (a load with a new slice).
    func subscriptionChanged(clientId: String, slice: TopicsSlice) async
    /// A snapshot for a load begins, at `sequence`.
    func snapshotBegan(clientId: String, sequence: Int64) async
    /// The snapshot ended, after `entityCount` entities were sent.
    func snapshotEnded(clientId: String, sequence: Int64, entityCount: Int) async
}

/// Status, exceptional conditions, counters and snapshot aborts (§5.5). Configuration values
/// are passed as plain structs at start (STYLE.md practice 6), not read through this plug.
public protocol ControlAndParams: Sendable {
    /// A sub-system's status changed (for example `link` → `connected`).
    func statusChanged(subsystem: String, status: String) async
    /// An exceptional condition began (`entered` true) or ended.
    func exceptionalCondition(_ name: String, entered: Bool, detail: String) async
    /// A special event that changes no status.
    func event(_ name: String, detail: String) async
    /// Adds `amount` to a statistical counter.
    func count(_ counter: String, by amount: Int) async
    /// Whether the running snapshot for `clientId` should be aborted.
    func shouldAbortSnapshot(clientId: String) async -> Bool
}

/// May this client use this slice, and write these entities (§5.6, issue 11 item 2)?
public protocol Permit: Sendable {
    func permits(clientId: String?, slice: TopicsSlice) async -> Bool
    /// The rule for one append of `clientId`: asked once per append, before its transaction,
    /// then applied inside the transaction to each entity as stored there and as written.
    func writePermit(clientId: String) async -> any EntityWritePermit
}

/// The reference `DeltaObjectsReader`: reads the site's store.
public struct StoreObjectsReader: DeltaObjectsReader {
    public let store: any SiteStore

    public init(store: any SiteStore) {
        self.store = store
    }

    public func entities(_ keys: Set<EntityKey>) async throws -> [EntityState] {
        try await store.entities(keys)
    }
}

/// The reference `CacheNotifier` and `ControlAndParams`: logs everything, keeps counters in
/// the log's metadata, never aborts a snapshot.
public struct LoggingPlugs: CacheNotifier, ControlAndParams {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func subscriptionChanged(clientId: String, slice: TopicsSlice) async {
        logger.info("subscription changed", metadata: ["client": "\(clientId)", "slice": "\(slice)"])
    }

    public func snapshotBegan(clientId: String, sequence: Int64) async {
        logger.debug("snapshot began", metadata: ["client": "\(clientId)", "sequence": "\(sequence)"])
    }

    public func snapshotEnded(clientId: String, sequence: Int64, entityCount: Int) async {
        logger.debug("snapshot ended", metadata: ["client": "\(clientId)", "sequence": "\(sequence)", "entities": "\(entityCount)"])
    }

    public func statusChanged(subsystem: String, status: String) async {
        logger.notice("status changed", metadata: ["subsystem": "\(subsystem)", "status": "\(status)"])
    }

    public func exceptionalCondition(_ name: String, entered: Bool, detail: String) async {
        if entered {
            logger.warning("entered \(name): \(detail)")
        } else {
            logger.notice("left \(name): \(detail)")
        }
    }

    public func event(_ name: String, detail: String) async {
        logger.info("\(name): \(detail)")
    }

    public func count(_ counter: String, by amount: Int) async {
        logger.trace("counter", metadata: ["counter": "\(counter)", "by": "\(amount)"])
    }

    public func shouldAbortSnapshot(clientId: String) async -> Bool { false }
}

/// The reference `Permit`: every client may use every slice and write every entity.
public struct AllowAllPermit: Permit {
    public init() {}

    public func permits(clientId: String?, slice: TopicsSlice) async -> Bool { true }

    public func writePermit(clientId: String) async -> any EntityWritePermit { UnrestrictedWrites() }
}
