import ArborStore

extension LinkServer {
    /// Sets each son's series (``SiteMetrics``), for every client of the son role: connected
    /// (it uploaded or sent a heartbeat to this process lately), and how far its download
    /// stands behind this site's log, in sequences and seconds.
    func sampleMetrics() async {
        let metrics = context.metrics
        let sons = context.clients.table.filter { $0.role == .son }.map(\.clientId)
        let connected = contacts.withLock { Set($0.lastContact.keys) }
        let end = context.logTail.lastSequence
        for son in sons {
            let labels = [("son", son)]
            metrics.gauge(SiteMetrics.Name.sonConnected, labels).set(connected.contains(son) ? 1 : 0)
            // The son's position is what it acknowledged: an answer routed to it may be lost, so it
            // does not count. A long poll that routes nothing for it holds the position back until
            // it answers (at most the fetch wait, 20 s by default).
            guard let record = try? await context.store.fetchAcknowledgement(clientId: son), let position = record.acknowledgedSequence else { continue }
            let lag = max(0, end - position)
            let behind = lagClocks.withLock { clocks in clocks[son, default: LinkLagClock(start: .now)].sampled(lag: lag, at: .now) }
            metrics.gauge(SiteMetrics.Name.sonLagSequences, labels).set(lag)
            metrics.gauge(SiteMetrics.Name.sonLagSeconds, labels).set(behind.seconds)
        }
    }
}
