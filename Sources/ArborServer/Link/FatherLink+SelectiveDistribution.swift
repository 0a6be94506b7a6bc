import ArborCore
import ArborEdge
import ArborStore

/// Selective distribution to proxies (§8.3): the link subscribes at the father to the fixed
/// topics plus the dynamic topics the site's edges use, kept in the store's proxy topics.
///
/// Any server process of the site requests topics there (a load) and notes their use (loads
/// and fetches); this loop, running only where the link runs, expires unused ones, changes the
/// subscription with a PartialLoad (which also brings the entities of added topics, merged
/// like any father data) and then marks the added topics active, so the waiting loads go on.
extension FatherLink {
    /// How often the loop looks at the proxy topics.
    static let proxyTopicsPollInterval: Duration = .milliseconds(150)

    /// The slice the link loads and fetches with now.
    var linkSlice: String {
        guard let selective = context.settings.selectiveDistribution else { return settings.linkSlice }
        let dynamic = state.withLock { $0.dynamicTopics }
        return settings.linkSlice(subscription: ProxySlice.subscription(fixed: selective.fixedTopics, dynamic: dynamic))
    }

    /// Runs `body` with the current link slice, never while the subscription changes, so a load
    /// cannot set the edge's slice back to an older subscription.
    @discardableResult
    func withLinkSlice<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        try await sliceGate.run("slice") { try await body(linkSlice) }
    }

    /// One fetch of the download, as ``Edge/fetchDeltasOnce(waitMilliseconds:)``; nil when a
    /// subscription change interrupted it (the edge keeps its position, so the next fetch asks
    /// again from there, with the new slice).
    func interruptibleFetch(_ edge: Edge) async throws -> [DeltaBuffer]? {
        let wait = edgeConfiguration.fetchWaitMilliseconds
        let fetch = Task { try await edge.fetchDeltasOnce(waitMilliseconds: wait) }
        state.withLock { $0.fetchInFlight = fetch }
        defer { state.withLock { $0.fetchInFlight = nil } }
        do {
            return try await withTaskCancellationHandler { try await fetch.value } onCancel: { fetch.cancel() }
        } catch is CancellationError where !Task.isCancelled {
            return nil
        }
    }

    /// Starts from the topics the site already receives (active in the store): the applied
    /// position was reached with them.
    func restoreProxyTopics() async {
        guard let selective = context.settings.selectiveDistribution else { return }
        do {
            let active = try await context.store.proxyTopics().filter(\.isActive).map(\.topic)
            state.withLock { $0.dynamicTopics = Set(active).subtracting(selective.fixedTopics) }
        } catch {
            logger.warning("father link: cannot read the proxy topics (\(error.message)); starting with the fixed topics only")
        }
        logger.info("father link: selective distribution, subscription \(linkSlice)")
    }

    /// Keeps the subscription in line with the proxy topics until cancelled.
    func runSelectiveDistribution(_ edge: Edge) async {
        guard let selective = context.settings.selectiveDistribution else { return }
        while !Task.isCancelled {
            var pause = Self.proxyTopicsPollInterval
            do {
                try await reconcileProxyTopics(edge, selective)
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                // An unreachable father is reported by the link's status; refusals need an operator.
                if case .unreachable = classify(error) {
                    logger.debug("father link: cannot change the proxy subscription while the father is unreachable")
                } else {
                    logger.warning("father link: cannot change the proxy subscription now (\(error)); trying again")
                }
                pause = max(pause, settings.retryBackoff)
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// One look: expire, change the subscription when the wanted topics differ, activate.
    private func reconcileProxyTopics(_ edge: Edge, _ selective: SelectiveDistributionSettings) async throws {
        // Loads before the first one of the link would be overwritten by it.
        guard state.withLock({ $0.downloadReady }) else { return }
        let store = context.store
        var rows = try await store.proxyTopics()
        let now = EntitiesSubsystem.systemMicroseconds()
        let life = selective.lifeMicroseconds
        let lastUsed = Dictionary(rows.map { ($0.topic, $0.lastUsedMicroseconds) }, uniquingKeysWith: max)
        let expired = ProxySlice.expiredTopics(lastUsed: lastUsed, fixed: selective.fixedTopics, now: now, lifeMicroseconds: life)
        if !expired.isEmpty {
            // Only those still unused when deleted: another process may have used one meanwhile.
            let removed = try await store.removeProxyTopics(expired, unusedBefore: ProxySlice.expiryCutoff(now: now, lifeMicroseconds: life))
            if !removed.isEmpty {
                logger.notice("father link: topics \(removed.sorted().joined(separator: ", ")) unused for \(selective.unusedTopicsLife); leaving them out of the subscription")
                rows = try await store.proxyTopics()
            }
        }
        let wanted = Set(rows.map(\.topic)).subtracting(selective.fixedTopics)
        if wanted != state.withLock({ $0.dynamicTopics }) {
            let subscription = ProxySlice.subscription(fixed: selective.fixedTopics, dynamic: wanted)
            try await sliceGate.run("slice") {
                // Entities of added topics come whole; fetches go on with the new slice from
                // the older position, so nothing not yet fetched is skipped (§2.3). The topics
                // count as received only once those entities are merged.
                let load = try await edge.partialLoad(newSlice: settings.linkSlice(subscription: subscription))
                for buffer in load.buffers {
                    try await context.entities.apply(buffer, from: .father)
                    count { $0.appliedBuffers += 1 }
                }
                try await keepRegistered(load.buffers)
                state.withLock { $0.dynamicTopics = wanted }
            }
            state.withLock { $0.fetchInFlight }?.cancel()
            count { $0.subscriptionChanges += 1 }
            logger.notice("father link: subscription now \(subscription)")
        }
        let waiting = Set(rows.lazy.filter { !$0.isActive }.map(\.topic))
        if !waiting.isEmpty { try await store.activateProxyTopics(waiting) }
    }
}
