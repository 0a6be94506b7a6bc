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
    private let logger: Logger

    /// - Parameter keepsUnacknowledgedUploads: true at a son (it has a father link).
    public init(store: any SiteStore, retainedSequences: Int64, keepsUnacknowledgedUploads: Bool, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
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
}
