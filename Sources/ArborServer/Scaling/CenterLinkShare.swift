import ArborStore
import Logging
import ServiceLifecycle
import Synchronization

/// Shares the father link's state between the server processes of one site (§8.1, §8.2), so
/// every process, not only the master, tells its edges whether the site is connected to the
/// center (status, `X-Arbor-Connected-To-Center`, the JSON fetch answer).
///
/// Every `pollInterval` the master records its link's state (``CenterLinkReport`` in site state)
/// when it changed, and at least every ``CenterLinkSharing/refreshInterval``; the other
/// processes read it and believe it while the master keeps refreshing it
/// (``CenterLinkSharing/freshness``). A change therefore reaches every process within about
/// two poll intervals.
public final class CenterLinkShare: Service, Sendable {
    private let store: any SiteStore
    private let connection: CenterConnection
    private let isMaster: @Sendable () -> Bool
    private let pollInterval: Duration
    private let logger: Logger
    private let sharing: Mutex<CenterLinkSharing>

    public init(
        store: any SiteStore, connection: CenterConnection, isMaster: @escaping @Sendable () -> Bool, pollInterval: Duration = .milliseconds(250),
        refreshInterval: Duration = .seconds(1), freshness: Duration = .seconds(5), logger: Logger
    ) {
        self.store = store
        self.connection = connection
        self.isMaster = isMaster
        self.pollInterval = pollInterval
        self.logger = logger
        sharing = Mutex(CenterLinkSharing(refreshInterval: refreshInterval, freshness: freshness))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var reportedFailure = false
            while !Task.isCancelled {
                do {
                    try await self.step()
                    reportedFailure = false
                } catch {
                    if !reportedFailure { self.logger.warning("cannot share the father link's state with the site's other servers: \(error)") }
                    reportedFailure = true
                }
                try? await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// One poll: the master records its link's state, the others read it.
    func step() async throws {
        let nowMicroseconds = EntitiesSubsystem.systemMicroseconds()
        if isMaster() {
            let connected = connection.linkState ?? false
            let action = sharing.withLock { $0.masterObserved(connected: connected, at: .now, nowMicroseconds: nowMicroseconds) }
            guard case .publish(let report) = action else { return }
            do {
                try await store.setSiteState(CenterLinkReport.siteStateKey, report.text)
            } catch {
                sharing.withLock { $0.publishFailed() }
                throw error
            }
        } else {
            let report = try await store.siteState(CenterLinkReport.siteStateKey).flatMap(CenterLinkReport.init(text:))
            let connected = sharing.withLock { $0.read(report, at: .now, nowMicroseconds: nowMicroseconds) }
            // The role may have moved here meanwhile: then the link's own view stands.
            if !isMaster() { connection.setShared(connected) }
        }
    }
}
