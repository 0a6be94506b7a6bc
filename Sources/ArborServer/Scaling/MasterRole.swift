import ArborStore
import Logging
import ServiceLifecycle
import Synchronization

/// The master role of one site's server processes (§8.1, DESIGN "Scaling out").
///
/// Every process runs this service; the one that takes the site's ``MasterLock`` runs the
/// master's duties (the link to the father) until it stops or loses the lock, and then gives
/// the lock up. The others try again every `retryInterval`, so when the master dies (its
/// PostgreSQL session or its file lock goes with it) another process takes over within about
/// that interval. The duties keep their positions in the database, so the new master resumes
/// where the old one stood.
public final class MasterRole: Service, Sendable {
    private let lock: any MasterLock
    private let duties: [any Service]
    private let retryInterval: Duration
    private let siteName: String
    private let logger: Logger
    private let held = Mutex(false)

    public init(lock: any MasterLock, duties: [any Service], siteName: String, retryInterval: Duration = .seconds(1), logger: Logger) {
        self.lock = lock
        self.duties = duties
        self.siteName = siteName
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// Whether this process is the site's master now.
    public var isMaster: Bool { held.withLock { $0 } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var reportedFailure = false
            while !Task.isCancelled {
                do {
                    if try await self.lock.tryAcquire() {
                        reportedFailure = false
                        await self.serveAsMaster()
                    }
                } catch {
                    // Logged once per outage: every process retries each interval.
                    if !reportedFailure { self.logger.error("cannot take part in the master election of site '\(self.siteName)': \(error)") }
                    reportedFailure = true
                }
                try? await Task.sleep(for: self.retryInterval)
            }
        }
        held.withLock { $0 = false }
        await lock.release()
    }

    /// Runs the duties while the lock holds; returns when it is lost or the task is cancelled.
    private func serveAsMaster() async {
        held.withLock { $0 = true }
        logger.notice("this process is now the master of site '\(siteName)'")
        await withTaskGroup(of: Void.self) { group in
            for duty in duties {
                group.addTask {
                    do { try await duty.run() } catch { self.logger.error("a master duty stopped: \(error)") }
                }
            }
            group.addTask {
                // Cancellation first: a check started at shutdown would only fail.
                while !Task.isCancelled, await self.lock.isHeld() {
                    try? await Task.sleep(for: self.retryInterval)
                }
            }
            // The lock watcher ends first unless a duty stops on its own; either way the role ends.
            await group.next()
            group.cancelAll()
        }
        held.withLock { $0 = false }
        await lock.release()
        if !Task.isCancelled { logger.warning("this process lost the master role of site '\(siteName)'; another process may take it") }
    }
}
