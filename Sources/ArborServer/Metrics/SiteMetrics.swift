import ArborCore
import CoreMetrics
import Metrics
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory
import Synchronization

/// The Prometheus metrics of one site's server process (issue 13 item 2), served at `/metrics`.
///
/// Recorded through swift-metrics with an explicit factory over this site's own
/// `PrometheusCollectorRegistry`, not through the once-only, process-global `MetricsSystem`:
/// tests run many sites in one process and each reads its own. Every series carries a `site`
/// label. Positions (log sequence, link lags, backlogs) are sampled when scraped, by samplers
/// the parts holding them add (``addSampler(_:)``); events are counted as they happen.
/// `Docs/operator-guide.md` ("Metrics") lists every metric.
public final class SiteMetrics: Sendable {
    /// Where every series of this site is kept.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over ``registry`` (`arbor serve` also bootstraps the global
    /// `MetricsSystem` with it, so libraries' metrics land beside Arbor's).
    public let factory: PrometheusMetricsFactory
    private let samplers = Mutex<[UInt64: @Sendable () async -> Void]>([:])
    private let nextSampler = Mutex<UInt64>(0)

    /// Deltas committed to the site's log since this process started (counted by ``LogTail``).
    let deltasAppended: SampledCounter
    /// Transactions (log sequences) committed since this process started.
    let transactionsAppended: SampledCounter
    let logSequence: Meter
    let openFetches: Meter
    let deltasRouted: Counter
    let deltasDelivered: Counter

    public init(siteName: String) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (name, [("site", siteName)] + labels.filter { $0.0 != "site" }) }
        factory.defaultDurationHistogramBuckets = Self.loadDurationBuckets
        self.factory = factory
        deltasAppended = SampledCounter(Counter(label: Name.deltasAppended, factory: factory))
        transactionsAppended = SampledCounter(Counter(label: Name.transactionsAppended, factory: factory))
        logSequence = Meter(label: Name.logSequence, factory: factory)
        openFetches = Meter(label: Name.openFetches, factory: factory)
        deltasRouted = Counter(label: Name.deltasRouted, factory: factory)
        deltasDelivered = Counter(label: Name.deltasDelivered, factory: factory)
    }

    /// Loads take from milliseconds (a small slice) to minutes (a whole branch).
    static let loadDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .milliseconds(2500),
        .seconds(10), .seconds(30), .seconds(120), .seconds(600),
    ]

    // MARK: Scraping

    /// Adds work run before each scrape, which sets sampled series; it stays until `removeSampler`.
    @discardableResult
    public func addSampler(_ sample: @escaping @Sendable () async -> Void) -> UInt64 {
        let id = nextSampler.withLock { $0 += 1; return $0 }
        samplers.withLock { $0[id] = sample }
        return id
    }

    /// Removes a sampler added with ``addSampler(_:)``.
    public func removeSampler(_ id: UInt64) {
        _ = samplers.withLock { $0.removeValue(forKey: id) }
    }

    /// Every series in the Prometheus text exposition format, sampled now.
    public func exposition() async -> String {
        for sample in samplers.withLock({ Array($0.values) }) { await sample() }
        return registry.emitToString()
    }

    // MARK: Events

    /// A fetch (long poll) opened; call ``fetchClosed()`` when it answers.
    func fetchOpened() { openFetches.increment() }
    func fetchClosed() { openFetches.decrement() }

    /// A fetch routed `routed` deltas, delivered `delivered` of them and skipped the rest for `skipped` reasons.
    func routed(_ routed: Int, delivered: Int, skipped: [SkipReason: Int]) {
        if routed > 0 { deltasRouted.increment(by: routed) }
        if delivered > 0 { deltasDelivered.increment(by: delivered) }
        for (reason, count) in skipped where count > 0 {
            Counter(label: Name.deltasSkipped, dimensions: [("reason", "\(reason)")], factory: factory).increment(by: count)
        }
    }

    /// A load of `kind` (full, partial, sync, skip, entity) took `duration`, answered or refused.
    func loadFinished(_ kind: String, after duration: Duration, refused: Bool) {
        Timer(label: Name.loadDuration, dimensions: [("kind", kind), ("outcome", refused ? "refused" : "answered")], factory: factory)
            .record(duration: duration)
    }

    /// A request was refused with `code`, one of the authentication codes.
    func authenticationFailed(_ code: ArborErrorCode) {
        Counter(label: Name.authenticationFailures, dimensions: [("code", code.rawValue)], factory: factory).increment()
    }

    /// A request was answered with the protocol error `code`.
    func errorAnswered(_ code: ArborErrorCode) {
        Counter(label: Name.errors, dimensions: [("code", code.rawValue)], factory: factory).increment()
    }

    /// A gauge set at scrape time.
    func gauge(_ name: String, _ labels: [(String, String)] = []) -> Meter {
        Meter(label: name, dimensions: labels, factory: factory)
    }
}

/// A counter whose total is kept elsewhere (``LogTail``) and copied in at scrape time: it
/// only ever adds what the total grew by.
final class SampledCounter: Sendable {
    private let counter: Counter
    private let seen = Mutex<Int64>(0)

    init(_ counter: Counter) {
        self.counter = counter
    }

    /// Brings the counter to `total` (a smaller total, from a restarted source, adds nothing).
    func sample(_ total: Int64) {
        let grown = seen.withLock { seen -> Int64 in
            defer { seen = max(seen, total) }
            return max(0, total - seen)
        }
        if grown > 0 { counter.increment(by: grown) }
    }
}
