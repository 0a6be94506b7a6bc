import ArborStore
import Logging
import ServiceLifecycle

/// Keeps the site's delta log from growing without end: a master duty that deletes records
/// older than the last `retainedSequences` (clients further behind get `TooFarBehind` and
/// sync-load anyway). At a son it never deletes what the father has not acknowledged, so writes
/// made while the link was down are all uploaded however long it stays down.
public struct LogTrimmer: Service {
    private let store: any SiteStore
    private let retainedSequences: Int64
    private let keepsUnacknowledgedUploads: Bool
    private let interval: Duration
    private let appendRequestRetention: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - keepsUnacknowledgedUploads: true at a son (it has a father link).
    ///   - appendRequestRetention: how long append request ids are kept (issue 10 item 13).
    public init(
        store: any SiteStore, retainedSequences: Int64, keepsUnacknowledgedUploads: Bool, interval: Duration = .seconds(60),
        appendRequestRetention: Duration = SiteServerSettings.defaultAppendRequestRetention, logger: Logger
    ) {
        self.store = store
        self.appendRequestRetention = appendRequestRetention
        self.retainedSequences = max(1, retainedSequences)
        self.keepsUnacknowledgedUploads = keepsUnacknowledgedUploads
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await trimOnce()
                } catch {
                    logger.warning("trimming the delta log failed (retried in \(interval)): \(error)")
                }
                do {
                    try await trimAppendRequests(now: EntitiesSubsystem.systemMicroseconds())
                } catch {
                    logger.warning("removing old append request ids failed (retried in \(interval)): \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Trims once; returns the number of records deleted.
    @discardableResult
    public func trimOnce() async throws -> Int {
        var cutoff = try await store.lastSequence() - retainedSequences
        if keepsUnacknowledgedUploads {
            // Nothing acknowledged yet: everything may still have to go up.
            guard let acknowledged = try await store.siteCounter(FatherLink.uploadedKey) else { return 0 }
            cutoff = min(cutoff, acknowledged)
        }
        guard cutoff > 0 else { return 0 }
        let deleted = try await store.trimLog(through: cutoff)
        if deleted > 0 { logger.info("trimmed \(deleted) delta log records through sequence \(cutoff)") }
        return deleted
    }

    /// Removes append request ids recorded more than the retention before `now` (µs); returns how many.
    @discardableResult
    public func trimAppendRequests(now: Int64) async throws -> Int {
        let retention = appendRequestRetention.components.seconds * 1_000_000
        return try await store.removeAppendRequests(recordedBefore: now - retention)
    }
}
