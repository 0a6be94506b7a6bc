import Foundation

/// The one JSON object `compare` prints: the run's sizes and, per figure, Arbor's value, the
/// peer's beside it and the ratio Arbor / peer (`better` says whether higher or lower wins).
struct CompareReport {
    let sizes: Sizes
    var seconds = 0.0
    private var figures: [String: [String: Any]] = [:]
    private var notes: [String: String] = [:]

    init(sizes: Sizes) { self.sizes = sizes }

    enum Better: String { case higher, lower }

    /// Records a figure; `peers` are further peer variants (e.g. `synchronousCommitOn`), each with its own ratio.
    mutating func add(_ name: String, unit: String, better: Better, arbor: Double, peer: Double?, peers: [String: Double] = [:]) {
        var figure: [String: Any] = ["arbor": Self.rounded(arbor), "unit": unit, "better": better.rawValue]
        if let peer {
            figure["peer"] = Self.rounded(peer)
            figure["ratio"] = Self.ratio(arbor, peer)
        }
        for (variant, value) in peers {
            figure["peer_" + variant] = Self.rounded(value)
            figure["ratio_" + variant] = Self.ratio(arbor, value)
        }
        figures[name] = figure
    }

    mutating func note(_ name: String, _ text: String) { notes[name] = text }

    func json() throws -> String {
        let object: [String: Any] = [
            "benchmark": "compare", "seconds": Self.rounded(seconds), "figures": figures, "notes": notes,
            "sizes": ["latencyWrites": sizes.writes, "openLoopWritesPerSecond": sizes.rate, "bulkRows": sizes.bulkRows,
                      "rowsPerAppend": sizes.batch, "backlogMatchingRows": sizes.backlogRows,
                      "fanOutEdges": sizes.fanOutEdges, "fanOutWritesPerSecond": sizes.fanOutRate, "fanOutSeconds": sizes.fanOutSeconds],
            "machine": ["activeProcessors": ProcessInfo.processInfo.activeProcessorCount],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
    }

    private static func ratio(_ arbor: Double, _ peer: Double) -> Double { peer == 0 ? 0 : rounded(arbor / peer) }

    private static func rounded(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        let magnitude = abs(value)
        let scale = magnitude >= 100 ? 1.0 : magnitude >= 1 ? 1_000.0 : 100_000.0
        return (value * scale).rounded() / scale
    }
}
