import ArborCore
import Synchronization

/// The schema history of one store, read once and kept: a running process's schema never
/// changes (`arbor schema apply` runs with the site stopped), so the history it reads at first
/// use stays true while it runs.
public final class SchemaCatalog: Sendable {
    private let store: any SiteStore
    private let cached = Mutex<SchemaHistory?>(nil)

    public init(store: any SiteStore) {
        self.store = store
    }

    /// The history, ending with the store's schema. A database without a stored history (not
    /// installed yet) is a history of the store's schema alone.
    public func history() async throws(StoreError) -> SchemaHistory {
        if let history = cached.withLock({ $0 }) { return history }
        let stored = try await store.schemaHistory()
        var history = stored.isEmpty ? SchemaHistory(current: store.schema) : try SchemaInstallDecision.decodeHistory(stored)
        if history.current != store.schema {
            do {
                history = try history.applying(store.schema)
            } catch {
                throw StoreError(.schemaMismatch, "this site runs schema '\(store.schema.name)' but its database holds '\(history.current.name)': \(error.message)")
            }
        }
        let result = history
        cached.withLock { $0 = result }
        return result
    }
}
