import ArborStore

extension FatherLink {
    /// Sets the father link's series (``SiteMetrics``): connected, lag behind the father's log
    /// in sequences and seconds, and this site's log not yet acknowledged by the father.
    func sampleMetrics() async {
        let metrics = context.metrics
        let connected: Bool
        if case .connected = health.withLock({ $0.reported }) { connected = true } else { connected = false }
        metrics.gauge(SiteMetrics.Name.fatherConnected).set(connected ? 1 : 0)
        // Positions come from the store: another process of the site may run the link (§8.1).
        guard let applied = try? await context.store.siteCounter(Self.appliedKey) else { return }
        if let fatherEnd = state.withLock({ $0.uploadFatherSequence }) {
            let lag = max(0, fatherEnd - applied)
            let behind = lagClock.withLock { $0.sampled(lag: lag, at: .now) }
            metrics.gauge(SiteMetrics.Name.fatherLagSequences).set(lag)
            metrics.gauge(SiteMetrics.Name.fatherLagSeconds).set(behind.seconds)
        }
        if let end = try? await context.store.lastSequence() {
            let uploaded = (try? await context.store.siteCounter(Self.uploadedKey)) ?? nil
            metrics.gauge(SiteMetrics.Name.uploadBacklog).set(max(0, end - (uploaded ?? 0)))
        }
    }
}
