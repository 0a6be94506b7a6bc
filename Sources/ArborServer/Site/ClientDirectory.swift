import ArborCore
import ArborStore
import Logging
import ServiceLifecycle
import Synchronization

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

    /// A stream of the whole table after every change (used to cut disabled clients off).
    public func updates() -> AsyncStream<[ClientRecord]> {
        let (stream, continuation) = AsyncStream<[ClientRecord]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UInt64.random(in: .min ... .max)
        changes.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.changes.withLock { $0.removeValue(forKey: id) } }
        return stream
    }

    public func run() async throws {
        for try await table in store.watchClients(pollInterval: pollInterval).cancelOnGracefulShutdown() {
            publish(table)
        }
    }

    private func publish(_ table: [ClientRecord]) {
        records.withLock { $0 = Dictionary(table.map { ($0.clientId, $0) }, uniquingKeysWith: { $1 }) }
        for continuation in changes.withLock({ Array($0.values) }) { continuation.yield(table) }
    }
}
