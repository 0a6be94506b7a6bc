import ArborCore
import ArborStore
import Foundation
import Synchronization

/// What the delta and cache servers of a proxy with selective distribution check (§8.3), in
/// every server process of the site: fetches may only use topics the site receives from its
/// father, and loads first have their topics added to the site's subscription.
///
/// The topics live in the store (``SiteStore/proxyTopics()``), since only the process running
/// the father link changes the subscription; this process keeps a short-lived copy.
public final class ProxyTopicsGuard: Sendable {
    private struct State {
        var received: Set<String> = []
        var readAt: ContinuousClock.Instant?
        var unrecordedUses: Set<String> = []
        var usesRecordedAt: ContinuousClock.Instant = .now
    }

    let settings: SelectiveDistributionSettings
    private let store: any SiteStore
    private let siteName: String
    private let state = Mutex(State())

    public init(settings: SelectiveDistributionSettings, store: any SiteStore, siteName: String) {
        self.settings = settings
        self.store = store
        self.siteName = siteName
    }

    /// Refuses a fetch whose slice uses a topic the site does not receive with
    /// `TopicNotInProxySlice`; otherwise notes the topics as used (written in batches).
    public func admitFetch(_ slice: TopicsSlice) async throws(ServerError) {
        let used = ProxySlice.topicsUsed(by: slice)
        guard !used.isEmpty else { return }
        var missing = ProxySlice.missingTopics(of: slice, received: try await receivedTopics(fresh: false))
        // A load may have made them received a moment ago: look again before refusing.
        if !missing.isEmpty { missing = ProxySlice.missingTopics(of: slice, received: try await receivedTopics(fresh: true)) }
        guard missing.isEmpty else {
            throw ServerError(
                .topicNotInProxySlice,
                "site '\(siteName)' does not receive topic\(missing.count == 1 ? "" : "s") \(missing.sorted().joined(separator: ", ")) from its father: load from this site's cache server, then fetch"
            )
        }
        await noteUse(used.subtracting(settings.fixedTopics))
    }

    /// Adds the topics of a load's slice to the site's subscription and waits until the site
    /// receives them, so the load answers with their entities; `Unavailable` after
    /// ``SelectiveDistributionSettings/activationTimeout``.
    public func awaitTopics(of slice: TopicsSlice) async throws(ServerError) {
        let needed = ProxySlice.topicsUsed(by: slice).subtracting(settings.fixedTopics)
        guard !needed.isEmpty else { return }
        let deadline = ContinuousClock.now + settings.activationTimeout
        while true {
            // Touching them on every look keeps them from expiring while the father is slow.
            try await storeCall("recording topics") { try await $0.useProxyTopics(needed, atMicroseconds: EntitiesSubsystem.systemMicroseconds()) }
            let rows = try await storeCall("reading topics") { try await $0.proxyTopics() }
            let active = Set(rows.lazy.filter { $0.isActive }.map { $0.topic })
            remember(active)
            if needed.isSubset(of: active) { return }
            guard ContinuousClock.now < deadline else {
                let waiting = needed.subtracting(active).sorted().joined(separator: ", ")
                throw ServerError(
                    .unavailable,
                    "site '\(siteName)' could not get topics \(waiting) from its father within \(settings.activationTimeout) (the father is unreachable, or no server process of this site runs the father link): load again later"
                )
            }
            do { try await Task.sleep(for: settings.activationPollInterval) } catch {
                throw ServerError(.unavailable, "the load was cancelled while waiting for topics from the father")
            }
        }
    }

    /// The topics the site receives: the fixed ones and the active dynamic ones.
    private func receivedTopics(fresh: Bool) async throws(ServerError) -> Set<String> {
        let refresh = settings.receivedTopicsRefresh
        let cached = state.withLock { state -> Set<String>? in
            guard !fresh, let readAt = state.readAt, ContinuousClock.now - readAt < refresh else { return nil }
            return state.received
        }
        if let cached { return cached.union(settings.fixedTopics) }
        let rows = try await storeCall("reading topics") { try await $0.proxyTopics() }
        let active = Set(rows.lazy.filter { $0.isActive }.map { $0.topic })
        remember(active)
        return active.union(settings.fixedTopics)
    }

    private func remember(_ active: Set<String>) {
        state.withLock {
            $0.received = active
            $0.readAt = .now
        }
    }

    /// Notes dynamic topics a fetch used; writes the uses gathered once per record interval.
    /// A failed write keeps them for the next one: a late use only delays the expiry check.
    private func noteUse(_ topics: Set<String>) async {
        let interval = settings.useRecordInterval
        let due = state.withLock { state -> Set<String>? in
            state.unrecordedUses.formUnion(topics)
            guard ContinuousClock.now - state.usesRecordedAt >= interval, !state.unrecordedUses.isEmpty else { return nil }
            defer {
                state.unrecordedUses = []
                state.usesRecordedAt = .now
            }
            return state.unrecordedUses
        }
        guard let due else { return }
        do {
            try await store.useProxyTopics(due, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
        } catch {
            state.withLock { $0.unrecordedUses.formUnion(due) }
        }
    }

    private func storeCall<T: Sendable>(_ action: String, _ body: (any SiteStore) async throws -> T) async throws(ServerError) -> T {
        do { return try await body(store) } catch {
            let reason = (error as? StoreError)?.message ?? "\(error)"
            throw ServerError(.internalError, "site '\(siteName)' failed \(action) of its proxy subscription: \(reason)")
        }
    }
}
