/// The lag of each link of the site sampled over the last minutes, for the status page's
/// chart: per link a bounded series, oldest first.
struct LagHistory: Hashable, Sendable {
    /// One sample of one link.
    struct Point: Codable, Hashable, Sendable {
        var atMicroseconds: Int64
        var sequences: Int64
        /// Nil while the follower was never caught up.
        var seconds: Double?
    }

    /// How many samples each link keeps.
    let capacity: Int
    private(set) var series: [String: [Point]] = [:]

    init(capacity: Int = 150) {
        self.capacity = max(1, capacity)
    }

    /// Event: samples taken at the same moment, by link name (`father`, `son branch-east`).
    /// A link not sampled any more (a removed son) is forgotten once its samples are all older
    /// than the oldest kept sample of the others.
    mutating func record(_ samples: [String: Point]) {
        for (link, point) in samples {
            var points = series[link, default: []]
            points.append(point)
            if points.count > capacity { points.removeFirst(points.count - capacity) }
            series[link] = points
        }
        let oldest = series.values.compactMap { $0.count == capacity ? $0.first?.atMicroseconds : nil }.min()
        if let oldest { series = series.filter { ($0.value.last?.atMicroseconds ?? 0) >= oldest } }
    }
}
