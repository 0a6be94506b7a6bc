import ArborCore
import ArborStore
import Foundation

/// `POST …/delta/site-report`: a son's summary of itself and its subtree (``SiteSummary``),
/// sent with its link every heartbeat, so `arbor tree` at the center shows the whole tree
/// although no father can call a son behind NAT. Kept in site state, so every server process
/// of the father (and a restart) shows it.
extension LinkServer {
    /// Stores the son's report and answers the son's lag as this process sees it.
    public func siteReport(client: AuthenticatedClient, summary: SiteSummary) async throws(ServerError) -> SiteReportResponse {
        try requireSon(client, for: "delta/site-report")
        guard summary.isWithinBounds else {
            throw ServerError(
                .badRequest,
                "a site report may hold at most \(SiteSummary.maximumSites) sites, \(SiteSummary.maximumDepth) levels deep; son '\(client.id)' sent more"
            )
        }
        await noteContact(client.id)
        let now = EntitiesSubsystem.systemMicroseconds()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(StoredSonReport(receivedMicroseconds: now, summary: summary)) else {
            throw ServerError(.badRequest, "the site report of son '\(client.id)' could not be encoded")
        }
        do {
            try await context.store.setSiteState(StoredSonReport.key(son: client.id), String(decoding: data, as: UTF8.self))
        } catch {
            context.logger.error("link server: storing the site report of son '\(client.id)' failed: \(error)")
            throw ServerError(.internalError, "storing the site report of son '\(client.id)' failed at site '\(context.siteName)'; retry later")
        }
        let logEnd = context.logTail.lastSequence
        let lag = context.activity.fetchLag(of: client.id, logEnd: logEnd, atMicroseconds: now)
        return SiteReportResponse(lagSequences: lag?.sequences, lagSeconds: lag?.seconds, fatherSequence: logEnd)
    }
}
