import ArborCore
import ArborEdge
import ArborStore
import Foundation

/// The son's side of site reports and the link's part of the status page: every heartbeat
/// the son sends its ``SiteSummary`` up (`…/delta/site-report`), and the father answers how it
/// sees the son's lag, which the son's status page shows.
extension FatherLink {
    /// Sends a report every heartbeat interval until cancelled. A father of an older Arbor
    /// (`NotFound`) is noted once and asked again slowly.
    func runSiteReports(_ uploader: FatherUploader) async {
        let builder = SiteStatusBuilder(context: context)
        var notedOldFather = false
        while !Task.isCancelled {
            var delay = settings.heartbeatInterval
            do {
                let summary = try await builder.summary(atMicroseconds: EntitiesSubsystem.systemMicroseconds())
                let answer = try await uploader.siteReport(summary)
                let now = EntitiesSubsystem.systemMicroseconds()
                state.withLock { $0.fatherView = (answer, now); $0.lastAnswerMicroseconds = now }
            } catch let error as EdgeError where error.code == .notFound {
                if !notedOldFather {
                    logger.notice("the father does not take site reports (an older Arbor): `arbor tree` above this site will not show it and its sons")
                    notedOldFather = true
                }
                delay = settings.refusedRetryInterval
            } catch {
                if Task.isCancelled { return }
                // The upload half reports the father's failures; a report is only news.
                logger.debug("father link: the site report was not sent: \(error)")
            }
            do { try await Task.sleep(for: delay) } catch { return }
        }
    }

    /// Lets the status page ask this link about the father while it runs.
    func attachToStatusPage() {
        context.activity.attachFatherLink(
            status: { [weak self] now in await self?.linkStatus(atMicroseconds: now) },
            lag: { [weak self] now in self?.lag(atMicroseconds: now) ?? (nil, nil) }
        )
    }

    /// The link as the status page shows it at `now`.
    func linkStatus(atMicroseconds now: Int64) async -> SiteStatusReport.FatherStatus {
        let status = health.withLock { $0.status(at: .now) }
        let (lastAnswer, recordedUpload) = state.withLock { ($0.lastAnswerMicroseconds, $0.recordedUpload) }
        let applied = try? await context.store.siteCounter(Self.appliedKey)
        let uploaded = try? await context.store.siteCounter(Self.uploadedKey)
        let lag = lag(atMicroseconds: now)
        var connected = false
        if case .connected = status { connected = true }
        return SiteStatusReport.FatherStatus(
            servers: settings.servers, clientId: settings.clientId, state: status.description, connected: connected, linkRunsHere: true,
            lastContactSecondsAgo: lastAnswer.map { SiteStatusBuilder.seconds(now - $0) }, appliedSequence: applied,
            lagSequences: lag.sequences, lagSeconds: lag.seconds,
            uploadBacklog: (recordedUpload ?? uploaded).map { max(0, context.logTail.lastSequence - $0) }
        )
    }

    /// This site's lag behind the father at `now`: the father's figures from its latest answer;
    /// while the link is down, older by the time since that answer.
    func lag(atMicroseconds now: Int64) -> (sequences: Int64?, seconds: Double?) {
        guard let view = state.withLock({ $0.fatherView }) else { return (nil, nil) }
        let status = health.withLock { $0.status(at: .now) }
        guard case .connected = status else {
            return (view.answer.lagSequences, view.answer.lagSeconds.map { $0 + SiteStatusBuilder.seconds(now - view.atMicroseconds) })
        }
        return (view.answer.lagSequences, view.answer.lagSeconds)
    }
}
