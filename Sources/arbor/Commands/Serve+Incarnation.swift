import ArborServer
import ArborStore
import Logging

extension Serve {
    /// Before serving: a restored copy (marked by `arbor backup` or `arbor init --restored`)
    /// takes a new incarnation, which is also its log's identity, so its edges and sons holding
    /// positions in the old log are refused with `LogReplaced` and reload, whether or not the
    /// site has a father (the center too). A database without an incarnation gets one.
    static func settleIncarnation(_ store: any SiteStore, hasFather: Bool, logger: Logger) async throws {
        let (renewed, isRenewed) = try await SiteIncarnation.settle(in: store)
        guard isRenewed else { return }
        let link = hasFather ? "; it re-joins its father as this incarnation: uploads the log it holds again and reloads what it lost" : ""
        logger.notice("this database is a restored copy: it serves as incarnation \(renewed) now, and edges and sons holding positions in its old log reload (LogReplaced)\(link)")
    }
}
