import Foundation

/// When each entity was first seen at one place (a follower edge, a LISTEN connection), so a
/// writer can wait for one id (closed loop) or read every latency afterwards (open loop).
actor ArrivalLog {
    private var arrivals: [UUID: ContinuousClock.Instant] = [:]
    private var waiters: [UUID: [(token: Int, continuation: CheckedContinuation<ContinuousClock.Instant?, Never>)]] = [:]
    private var nextToken = 0

    func record(_ ids: [UUID], at instant: ContinuousClock.Instant) {
        for id in ids where arrivals[id] == nil {
            arrivals[id] = instant
            for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.continuation.resume(returning: instant) }
        }
    }

    func arrival(of id: UUID) -> ContinuousClock.Instant? { arrivals[id] }

    /// Suspends until `id` arrives (or returns its arrival at once); throws naming `place`
    /// when `timeout` runs out first.
    func wait(for id: UUID, timeout: Duration, place: String) async throws -> ContinuousClock.Instant {
        if let instant = arrivals[id] { return instant }
        nextToken += 1
        let token = nextToken
        let expiry = Task {
            try await Task.sleep(for: timeout)
            self.expire(id, token)
        }
        defer { expiry.cancel() }
        let instant = await withCheckedContinuation { waiters[id, default: []].append((token, $0)) }
        guard let instant else { throw CompareError("\(id) did not arrive at \(place) within \(timeout)") }
        return instant
    }

    private func expire(_ id: UUID, _ token: Int) {
        guard let index = waiters[id]?.firstIndex(where: { $0.token == token }) else { return }
        waiters[id]?.remove(at: index).continuation.resume(returning: nil)
    }
}

/// Latency samples → the figures of one measure.
enum LatencyFigures {
    static func milliseconds(_ durations: [Duration]) -> [String: Double] {
        let sorted = durations.sorted()
        return ["p50": SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(sorted, 0.50)),
                "p99": SiteLatencyBenchmark.milliseconds(SiteLatencyBenchmark.percentile(sorted, 0.99))]
    }
}
