import ArborCore
import ArborStore
import Logging
import ServiceLifecycle
import Synchronization

/// Why a client's active requests must end (§2.7).
public enum ClientCutOff: Sendable, Hashable {
    /// The operator disabled the client (`is_disabled` set).
    case disabled
    /// The client's row is gone, or its id now holds another bit (removed and added again).
    case removed
}

/// The clients table (§2.7) as the servers see it: kept current from the store's change feed.
/// Servers only read the table; operators change it (`arbor clients`).
public final class ClientDirectory: Service, Sendable {
    private let store: any SiteStore
    private let pollInterval: Duration
    private let logger: Logger
    private let records = Mutex<[String: ClientRecord]>([:])
    private let changes = Mutex<[UInt64: AsyncStream<[ClientRecord]>.Continuation]>([:])

    public init(store: any SiteStore, pollInterval: Duration = .milliseconds(250), logger: Logger) {
        self.store = store
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Reads the table once (`run()` keeps it current).
    public func refresh() async throws {
        publish(try await store.clients())
    }

    /// The row of `clientId`, nil when the client is not in the table.
    public func client(_ clientId: String) -> ClientRecord? {
        records.withLock { $0[clientId] }
    }

    /// The whole table as last read, ordered by bit.
    public var table: [ClientRecord] {
        records.withLock { $0.values.sorted { $0.bit < $1.bit } }
    }

    /// A stream of the whole table after every change (used to cut disabled clients off).
    /// The subscription ends when the consuming task is cancelled or the stream is released.
    public func updates() -> AsyncStream<[ClientRecord]> {
        let (stream, continuation) = AsyncStream<[ClientRecord]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = subscribe(continuation)
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    /// Whether `record`'s client may no longer be served as it was admitted, and why.
    public func cutOff(of record: ClientRecord) -> ClientCutOff? {
        Self.cutOff(of: record, current: client(record.clientId))
    }

    /// Waits until the client admitted as `record` is disabled or removed (the answer), or
    /// until the task is cancelled (nil). Returns at once when that already happened.
    public func waitForCutOff(of record: ClientRecord) async -> ClientCutOff? {
        let (stream, continuation) = AsyncStream<[ClientRecord]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = subscribe(continuation)
        defer {
            unsubscribe(id)
            continuation.finish()
        }
        // Subscribed first, so a change published between the check and the loop is not lost.
        if let cutOff = cutOff(of: record) { return cutOff }
        for await table in stream {
            if let cutOff = Self.cutOff(of: record, current: table.first { $0.clientId == record.clientId }) { return cutOff }
        }
        return nil
    }

    /// Follows the table until shutdown. A failed read (the database restarting, say) keeps the
    /// last table and watches again after a second, instead of stopping the server.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                for try await table in store.watchClients(pollInterval: pollInterval).cancelOnGracefulShutdown() {
                    publish(table)
                }
                return
            } catch {
                logger.warning("watching the clients table failed (\(error)); serving with the last table read, watching again in 1 s")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The cut-off rule: a client is cut off when its row is disabled, gone, or holds another bit.
    public static func cutOff(of record: ClientRecord, current: ClientRecord?) -> ClientCutOff? {
        guard let current, current.bit == record.bit else { return .removed }
        return current.isDisabled ? .disabled : nil
    }

    private func subscribe(_ continuation: AsyncStream<[ClientRecord]>.Continuation) -> UInt64 {
        changes.withLock { changes in
            var id = UInt64.random(in: .min ... .max)
            while changes[id] != nil { id = UInt64.random(in: .min ... .max) }
            changes[id] = continuation
            return id
        }
    }

    private func unsubscribe(_ id: UInt64) {
        _ = changes.withLock { $0.removeValue(forKey: id) }
    }

    private func publish(_ table: [ClientRecord]) {
        records.withLock { $0 = Dictionary(table.map { ($0.clientId, $0) }, uniquingKeysWith: { $1 }) }
        for continuation in changes.withLock({ Array($0.values) }) { continuation.yield(table) }
    }
}
