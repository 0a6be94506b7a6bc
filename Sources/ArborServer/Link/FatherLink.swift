import ArborCore
import ArborEdge
import ArborStore
import Foundation
import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Synchronization

/// A son site's link to its father (§2.6, DESIGN rule 9), where only the son opens connections.
///
/// Two loops run until graceful shutdown, each retrying with back-off, so the site keeps
/// serving its own edges and writes while the father is away (standalone operation) and
/// catches up when it returns:
/// - download: a registered ``Edge`` loads the son's slice and fetches the father's deltas;
///   each buffer merges as `.father` in one transaction that also records its position;
/// - upload: the son's own log buffers, reduced to the father-bound deltas, are POSTed to
///   the father, which applies them as `.son` and answers its position (also the heartbeat).
///
/// The father checks the protocol version and schema name on every request; a refusal is
/// logged as an error and retried slowly, and nothing is applied.
public final class FatherLink: Service, Sendable {
    /// What the link did, for status pages and tests.
    public struct Counters: Hashable, Sendable {
        public var fullLoads = 0
        public var syncLoads = 0
        public var skipLoads = 0
        /// Father buffers merged (load and fetch buffers).
        public var appliedBuffers = 0
        /// Uploads the father answered.
        public var uploads = 0
        /// Non-empty son buffers sent up.
        public var uploadedBuffers = 0
        /// Requests the father refused (version, schema, clients table, permit, slice).
        public var refusals = 0
        /// Changes of the subscription by selective distribution (§8.3).
        public var subscriptionChanges = 0
        /// Changes of the configured slice carried out at start (§2.3).
        public var sliceChanges = 0
        /// Entities removed locally because this site no longer selects them (§2.3, DESIGN rule 1).
        public var droppedEntities = 0
    }

    struct LinkState: Sendable {
        var counters = Counters()
        /// Whether the son has loaded from the father at least once (uploads wait for it).
        var downloadReady = false
        /// The father's acknowledged upload position last written to site state.
        var recordedUpload: Int64?
        /// With selective distribution, the dynamic topics of the current subscription.
        var dynamicTopics: Set<String> = []
        /// The download's fetch under way, which a subscription change interrupts so the next
        /// fetch uses the new slice at once instead of after the long poll.
        var fetchInFlight: Task<[DeltaBuffer], any Error>?
        /// Drops waiting for the download to reach a father position (``DeferredDrop``).
        var deferredDrops: [DeferredDrop] = []
        /// The father's log end in its latest upload answer (``UploadResponse/fatherSequence``).
        var uploadFatherSequence: Int64?
        /// Whether the warning that the father disabled this son was written since the link was
        /// last connected (it is written once per episode, not at every retry).
        var disabledNoticeWritten = false
        /// When the father last answered either half (wall-clock µs), for the status page.
        var lastAnswerMicroseconds: Int64?
        /// The father's latest answer to a site report (how it sees this site's lag) and when.
        var fatherView: (answer: SiteReportResponse, atMicroseconds: Int64)?
    }

    /// The subsystem name used with `ControlAndParams.statusChanged`.
    public static let statusSubsystem = "father link"
    /// Site counter: the father sequence the son applied through.
    public static let appliedKey = "link.father.applied"
    /// Site counter: this site's log position the father acknowledged (the log is kept after it).
    public static let uploadedKey = "link.father.uploaded"
    /// Site counter: the wall-clock µs of the last answered fetch.
    public static let transmittedKey = "link.father.transmitted"
    /// Site-state key: the incarnation of the father's log ``appliedKey`` belongs to (a UUID), sent
    /// with the SkipLoad that resumes there, so a father restored from a backup is noticed.
    public static let fatherLogKey = "link.father.log"
    /// Site-state key: the link slice this son last subscribed with (§2.3), so a start with
    /// another configured slice changes the subscription instead of silently resuming.
    public static let subscribedSliceKey = "link.father.slice"
    /// The entities changed at the father that this site lacks and has not loaded yet (``PendingEntities``).
    public static let missingEntitiesKey = "link.father.missing"

    let context: SiteContext
    let settings: FatherLinkSettings
    let connection: CenterConnection
    let edgeConfiguration: EdgeConfiguration
    let paths: ServicePaths
    let logger: Logger
    private let givenClient: HTTPClient?
    let health: Mutex<FatherLinkHealth>
    let state = Mutex(LinkState())
    /// Held while a load sets the edge's slice, so loads and subscription changes do not interleave.
    let sliceGate = KeyedSerialGate()
    /// How long the download has been behind the father's log (``FatherLink/sampleMetrics()``).
    let lagClock = Mutex(LinkLagClock(start: .now))
    /// Cuts the pauses between retries short (``retryNow()``).
    let retryWake = RetryWake()
    private let metricsSampler = Mutex<UInt64?>(nil)

    /// A link for the son site of `context`.
    ///
    /// - Parameter edgeHTTPClient: the client to send with; nil (the default) makes one suited
    ///   to fail-over (a refused connection fails at once) for the link's lifetime.
    /// - Throws: `InvalidConfiguration` naming the first unusable setting.
    public init(context: SiteContext, settings: FatherLinkSettings, connection: CenterConnection, edgeHTTPClient: HTTPClient? = nil) throws(EdgeError) {
        try settings.validate()
        try context.settings.selectiveDistribution?.validate()
        guard let paths = ServicePaths(instance: settings.instance) else {
            throw EdgeError(code: .invalidConfiguration, message: "father link: instance '\(settings.instance)' must be 1-32 letters, digits, '-' or '_'")
        }
        edgeConfiguration = try settings.edgeConfiguration(schema: context.schema, limits: context.settings.limits)
        self.context = context
        self.settings = settings
        self.connection = connection
        self.paths = paths
        logger = context.logger
        givenClient = edgeHTTPClient
        health = Mutex(FatherLinkHealth(fetchWait: settings.fetchWait, heartbeatInterval: settings.heartbeatInterval))
        let sampler = context.metrics.addSampler { [weak self] in await self?.sampleMetrics() }
        metricsSampler.withLock { $0 = sampler }
    }

    deinit {
        if let sampler = metricsSampler.withLock({ $0 }) { context.metrics.removeSampler(sampler) }
    }

    /// What the link did so far.
    public var counters: Counters { state.withLock { $0.counters } }

    /// Ends the pauses between retries at once (an operator fixed something at the father, or
    /// enabled this son again): `arbor serve` calls it on SIGHUP.
    public func retryNow() {
        if retryWake.wake() > 0 {
            logger.notice("father link: retrying now, as asked")
        } else {
            logger.debug("father link: asked to retry, but it is not waiting to retry (it is connected, trying, or this process does not run it)")
        }
    }

    /// How one run of the link's halves ended.
    enum HalvesEnd: Sendable {
        /// Shutdown or cancellation.
        case stopped
        /// The upload found this site's log behind the father's position (a restored copy not
        /// marked as such): the link starts again as a new incarnation.
        case rejoin
    }

    /// Runs the download, upload and health loops until graceful shutdown or cancellation.
    /// Each run first settles the database's incarnation (``SiteIncarnation``): a restored
    /// copy re-joins as a new one, and every request of the run carries it.
    public func run() async throws {
        let client = givenClient ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: Edge.failoverClientConfiguration(trustRoots: settings.trustRoots, clientCertificate: settings.clientCertificate))
        // Until both halves answer, this process's edges hear "not connected", not a stale view.
        connection.set(false)
        attachToStatusPage()
        defer { context.activity.attachFatherLink(status: nil, lag: nil) }
        logger.info("father link starts", metadata: ["father": "\(settings.servers.joined(separator: ","))", "slice": "\(settings.linkSlice)"])
        await restoreProxyTopics()
        await cancelWhenGracefulShutdown {
            while let incarnation = await self.settleIncarnation() {
                guard await self.runHalves(client: client, incarnation: incarnation) == .rejoin else { return }
            }
        }
        if givenClient == nil { try? await client.shutdown() }
        health.withLock { $0.failed(.download); $0.failed(.upload) }
        await reportHealth()
        connection.linkStopped()
        logger.info("father link stopped")
    }

    // MARK: Health

    /// Records an event of one half and reports a status change at once.
    func note(_ change: (inout FatherLinkHealth) -> Void) async {
        health.withLock { change(&$0) }
        await reportHealth()
    }

    /// Evaluates the health now; reports and applies a change of status.
    func reportHealth() async {
        // The connection flag changes under the health lock, so concurrent reports cannot leave it stale.
        let connection = connection
        let changed = health.withLock { health -> FatherLinkHealth.Status? in
            guard let status = health.evaluate(at: .now) else { return nil }
            connection.set(status.isConnectedToCenter)
            return status
        }
        guard let status = changed else { return }
        if case .connected = status { state.withLock { $0.disabledNoticeWritten = false } }
        logger.notice("father link \(status)")
        await context.control.statusChanged(subsystem: Self.statusSubsystem, status: status.description)
    }

    /// Notices stale answers (a father that stopped answering without an error).
    private func watchHealth() async {
        let tick = min(settings.heartbeatInterval, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            await reportHealth()
        }
    }

    func count(_ change: (inout Counters) -> Void) {
        state.withLock { change(&$0.counters) }
    }

    // MARK: Errors

    /// How a failed step is recovered.
    func classify(_ error: any Error) -> LinkFailure {
        if let error = error as? EdgeError {
            switch error.code {
            case .unreachable, .internalError, .invalidResponse, .outcomeUnknown, .unavailable: return .unreachable(error.description)
            case .tooFarBehind: return .tooFarBehind
            case .logReplaced: return .logReplaced(error.message)
            // The father is a proxy that does not receive a topic yet: a registering SyncLoad
            // there adds the topics and brings every entity of the slice (§8.3).
            case .topicNotInProxySlice: return .notRegistered
            case .notRegistered: return .notRegistered
            case .clientDisabled: return .disabled(error.message)
            default: return .refused(code: error.code.rawValue, message: error.message)
            }
        }
        if let error = error as? StoreError { return .localFailure(error.description) }
        return .localFailure("\(error)")
    }

    /// Logs a failure at the level it deserves: refusals need an operator.
    func log(_ failure: LinkFailure, half: FatherLinkHealth.Half) {
        switch failure {
        case .refused(let code, let message):
            count { $0.refusals += 1 }
            context.activity.recordError(source: "father link \(half)", code: code, message: message, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
            logger.error("the father refuses this site's \(half) (\(code)): \(message); fix the configuration, the link retries every \(settings.refusedRetryInterval) (or at once on SIGHUP)")
        case .disabled(let message):
            // Shown on the status page as any refusal (a repeat counts up there), so the page
            // says why the father link is down.
            context.activity.recordError(source: "father link \(half)", code: "ClientDisabled", message: message, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
            // An operator action, not a misconfiguration: one warning per episode, then debug lines.
            let first = state.withLock { state in
                defer { state.disabledNoticeWritten = true }
                return !state.disabledNoticeWritten
            }
            guard first else {
                logger.debug("father link \(half): this site's client '\(settings.clientId)' is still disabled at the father")
                return
            }
            logger.warning(
                "the father disabled this site's client '\(settings.clientId)' (ClientDisabled: \(message)); this site works standalone. To reconnect, enable it at the father (`arbor clients enable \(settings.clientId) --db …`): the link retries every \(settings.disabledRetryInterval), or at once on SIGHUP"
            )
        case .unreachable(let reason):
            // The status change ("disconnected") is logged once; each retry only at debug level.
            logger.debug("father link \(half): father unreachable, working standalone: \(reason)")
            context.activity.recordError(source: "father link \(half)", code: "Unreachable", message: reason, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
        case .localFailure(let reason):
            context.activity.recordError(source: "father link \(half)", code: "Internal", message: reason, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
            logger.error("father link \(half): this site failed: \(reason)")
        case .positionUnknown(let reason):
            logger.warning("father link \(half): the father does not know this site's position (\(reason)); re-synchronizing")
        case .logReplaced(let reason):
            logger.warning("father link \(half): the father's log was replaced (\(reason)); reloading this site's slice from it, registering every entity this site holds")
        case .tooFarBehind, .notRegistered:
            logger.notice("father link \(half): \(failure); re-synchronizing")
        }
    }
}

extension FatherLink {
    /// Re-joins as a new incarnation when the database is a restored copy, and returns the
    /// incarnation to send; store failures are retried. Nil on cancellation.
    func settleIncarnation() async -> UUID? {
        while !Task.isCancelled {
            do {
                let (incarnation, renewed) = try await SiteIncarnation.settle(in: context.store)
                if renewed {
                    logger.notice("father link: this database is a restored copy; it re-joins its father as incarnation \(incarnation), uploads the log it holds again and reloads what it lost")
                }
                return incarnation
            } catch {
                log(.localFailure("reading this site's incarnation: \(error)"), half: .upload)
                try? await Task.sleep(for: settings.retryBackoff)
            }
        }
        return nil
    }

    /// Runs the halves with requests carrying `incarnation` until shutdown or until the upload
    /// asks to re-join.
    func runHalves(client: HTTPClient, incarnation: UUID) async -> HalvesEnd {
        var configuration = edgeConfiguration
        configuration.siteIncarnation = incarnation
        let edge = Edge(configuration: configuration, httpClient: client, logger: logger)
        let uploader = FatherUploader(
            client: client, servers: configuration.servers, paths: paths, clientId: settings.clientId, clientSecret: settings.clientSecret,
            incarnation: incarnation, schemaName: context.schema.name, timeout: settings.requestTimeout
        )
        state.withLock { $0.downloadReady = false; $0.recordedUpload = nil }
        return await withTaskGroup(of: HalvesEnd.self) { group in
            group.addTask { await self.runDownload(edge); return .stopped }
            if self.context.settings.selectiveDistribution != nil { group.addTask { await self.runSelectiveDistribution(edge); return .stopped } }
            group.addTask { await self.runUpload(uploader, edge: edge) }
            group.addTask { await self.watchHealth(); return .stopped }
            group.addTask { await self.runSiteReports(uploader); return .stopped }
            for await end in group where end == .rejoin {
                group.cancelAll()
                return .rejoin
            }
            return .stopped
        }
    }
}
