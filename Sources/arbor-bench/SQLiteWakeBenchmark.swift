import ArborCore
import ArborStore
import Foundation
import Logging

/// `arbor-bench sqlite-wake [--writes 300]`: how soon a commit through one SQLite store object
/// reaches the log readers of another object on the same file, as between two server processes
/// of one site: by the wake-up datagram, compared in the same run with the commit's own
/// object (in-process signal) and with polling alone (the 500 ms log poll, measured on fewer
/// writes because each costs a poll period).
struct SQLiteWakeBenchmark {
    let writes: Int
    let polledWrites = 20
    static let pollInterval: Duration = .milliseconds(500)

    init(_ arguments: ArraySlice<String>) throws {
        writes = try Options.writes(arguments, default: 300, benchmark: "sqlite-wake")
    }

    func run() async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-wake-bench-\(UUID().uuidString).sqlite").path
        let configuration = StoreConfiguration(location: .sqlite(path: path), schema: .exampleRetail, prefix: .standard, siteName: "branch")
        let logger = Logger(label: "arbor.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let writer = try await SiteStores.open(configuration, logger: logger)
        try await writer.install(upgradingSchema: false)
        let reader = try await SiteStores.open(configuration, logger: logger)
        defer {
            let directory = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasPrefix(name) {
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(file))
            }
        }
        let entities = EntitiesSubsystem(store: writer)
        var own = writer.logAppended().makeAsyncIterator()
        var other = reader.logAppended().makeAsyncIterator()
        let clock = ContinuousClock()
        var sameObject: [Duration] = [], otherObject: [Duration] = []
        for number in 0..<writes {
            let started = clock.now
            try await entities.write([Self.customer(number)])
            _ = await own.next()
            sameObject.append(clock.now - started)
            _ = await other.next()
            otherObject.append(clock.now - started)
        }
        var polled: [Duration] = []
        let pollPhase = clock.now
        for number in writes..<(writes + polledWrites) {
            // Commits land at random points of the reader's poll period, as they do in service.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<500)))
            let started = clock.now
            let sequence = try await entities.write([Self.customer(number)]).sequence ?? 0
            polled.append(try await Self.pollUntil(sequence, on: reader, phase: pollPhase) - started)
        }
        await reader.close()
        await writer.close()
        sameObject.sort()
        otherObject.sort()
        polled.sort()
        let p = SiteLatencyBenchmark.percentile, ms = SiteLatencyBenchmark.milliseconds
        let report: [String: Any] = [
            "benchmark": "sqlite-wake", "writes": writes, "polledWrites": polledWrites,
            "sameObjectMillisecondsP50": ms(p(sameObject, 0.5)),
            "otherObjectDatagramMillisecondsP50": ms(p(otherObject, 0.5)), "otherObjectDatagramMillisecondsP99": ms(p(otherObject, 0.99)),
            "pollingOnlyMillisecondsP50": ms(p(polled, 0.5)),
            "pollingOverDatagramRatioP50": SiteLatencyBenchmark.seconds(p(polled, 0.5)) / max(1e-9, SiteLatencyBenchmark.seconds(p(otherObject, 0.5))),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
    }

    /// When a reader polling every 500 ms since `phase` first sees `sequence`.
    static func pollUntil(_ sequence: Int64, on store: any SiteStore, phase: ContinuousClock.Instant) async throws -> ContinuousClock.Instant {
        var next = phase
        while next <= .now { next = next + pollInterval }
        while true {
            try await Task.sleep(until: next, clock: .continuous)
            next = next + pollInterval
            if try await store.lastSequence() >= sequence { return .now }
        }
    }

    static func customer(_ number: Int) throws -> EntityWrite {
        EntityWrite(.create(inCache: true), entityClass: "Customer", techId: UUID(), topics: try TopicsList(parsing: ",bench,"),
                    fields: ["name": .text("w\(number)"), "vip": .bool(false)])
    }
}
