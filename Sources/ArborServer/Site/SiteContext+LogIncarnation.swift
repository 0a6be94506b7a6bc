import ArborCore
import ArborStore
import Foundation

/// Which history a position in this site's log belongs to (issue 10: a restored father).
///
/// The log's identity is the site's incarnation (``SiteIncarnation``), which a restored copy
/// takes anew at its first start. Fetch and load answers carry it (`X-Arbor-Log-Incarnation`);
/// a client resuming from a position sends it back, and one of another incarnation is refused
/// with `LogReplaced`: sequence numbers alone cannot tell, because a restored log reuses the
/// numbers its clients already fetched through. It is read from the database per request (by a
/// read that began after the request came, shared with the requests that came meanwhile:
/// ``CoalescedRead``), so every server process of the site sees a new incarnation at once.
extension SiteContext {
    /// The incarnation of this site's log; nil for a database that has none yet.
    public func logIncarnation() async throws(ServerError) -> UUID? {
        do {
            return try await storedIncarnation.value()
        } catch {
            throw ServerError.storeFailure("reading the site's incarnation", error, siteName: siteName, logger: logger)
        }
    }

    /// Refuses `position` when the client says it belongs to another log than this site's.
    /// A client that sends no incarnation (an older edge) is admitted here; a position beyond
    /// the log's end is refused by the caller.
    public func admitLogPosition(_ position: Int64, of claimed: UUID?, clientId: String?) async throws(ServerError) {
        guard let claimed, let current = try await logIncarnation(), claimed != current else { return }
        throw ServerError(
            .logReplaced,
            "client '\(clientId ?? "")' resumes from sequence \(position) of log \(claimed.uuidString.lowercased()), but site '\(siteName)' now serves log \(current.uuidString.lowercased()) (it was restored from a backup or rebuilt): its positions and registrations of the client are gone; SyncLoad registering the entities the client holds, then fetch from that load's sequence")
    }

    /// The refusal of a position beyond the log's end: the site's log is shorter than the
    /// client's history of it, so it is another log (restored from an older backup).
    func beyondLogEnd(_ position: Int64, last: Int64, clientId: String?) -> ServerError {
        ServerError(
            .logReplaced,
            "client '\(clientId ?? "")' resumes from sequence \(position), beyond the end of the log of site '\(siteName)' (last \(last)): the site was probably restored from an older backup; SyncLoad registering the entities the client holds, then fetch from that load's sequence")
    }
}
