import ArborCore
import ArborStore
import Foundation

/// Computes a site's ``SiteStatusReport`` and ``SiteSummary`` from real state: the store (log
/// end, clients table, server announcements, sons' stored reports), the father link running
/// in this process, and this process's ``SiteActivity``.
struct SiteStatusBuilder: Sendable {
    let context: SiteContext

    private var activity: SiteActivity { context.activity }
    /// A client that fetched within this long counts as connected (a long poll answers at least every maximumWait).
    private var recentFetchMicroseconds: Int64 { Self.microseconds(context.settings.maximumWait) + 30_000_000 }
    private var sonTimeoutMicroseconds: Int64 { Self.microseconds(context.settings.sonTimeout) }

    /// The whole report at `now` (wall-clock microseconds).
    func report(instance: String, atMicroseconds now: Int64) async throws(ServerError) -> SiteStatusReport {
        let logEnd = context.logTail.lastSequence
        let table = context.clients.table
        let (sons, sonSummaries) = try await sons(table, logEnd: logEnd, atMicroseconds: now)
        let announced: [SiteServerLoad]
        do { announced = try await context.store.siteServers() } catch {
            throw ServerError(.internalError, "site '\(context.siteName)' could not read its server announcements: \(error.message); retry later")
        }
        let snapshot = activity.state.withLock { $0 }
        let rule = LoadBalancingRule()
        let live = Set(rule.live(announced, nowMicroseconds: now).map(\.url))
        let servers = announced.map { server in
            SiteStatusReport.ServerProcessStatus(
                url: server.url, edges: server.edges, isMaster: server.isMaster && live.contains(server.url), isLive: live.contains(server.url),
                lastSeenSecondsAgo: Self.seconds(now - server.seenMicroseconds)
            )
        }
        let roles = Dictionary(table.map { ($0.clientId, $0.role.rawValue) }, uniquingKeysWith: { first, _ in first })
        let connected = snapshot.fetches
            .filter { roles[$0.key] != nil && ($0.value.open > 0 || now - $0.value.lastFetchMicroseconds <= recentFetchMicroseconds) }
            .sorted { $0.key < $1.key }
            .map { id, fetches in
                let lag = activity.fetchLag(of: id, logEnd: logEnd, atMicroseconds: now) ?? (0, nil)
                return SiteStatusReport.ConnectedClientStatus(
                    clientId: id, role: roles[id] ?? "", slice: fetches.slice, registered: fetches.registered, openFetches: fetches.open,
                    lastFetchSecondsAgo: Self.seconds(now - fetches.lastFetchMicroseconds), lagSequences: lag.sequences, lagSeconds: lag.seconds
                )
            }
        let clients = table.sorted { $0.clientId < $1.clientId }.map { record in
            SiteStatusReport.ClientRowStatus(
                clientId: record.clientId, bit: Int(record.bit.number), role: record.role.rawValue, enabled: !record.isDisabled,
                hasSecret: record.secretHash != nil, lastSeenSecondsAgo: snapshot.lastSeen[record.clientId].map { Self.seconds(now - $0) }
            )
        }
        let errors = snapshot.errors.entries.map {
            SiteStatusReport.RecentErrorStatus(secondsAgo: Self.seconds(now - $0.atMicroseconds), source: $0.source, code: $0.code, message: $0.message, count: $0.count)
        }
        let history = snapshot.lagHistory.series.sorted { $0.key < $1.key }.map { link, points in
            SiteStatusReport.LagSeries(link: link, points: points.map {
                SiteStatusReport.LagPoint(secondsAgo: Self.seconds(now - $0.atMicroseconds), sequences: $0.sequences, seconds: $0.seconds)
            })
        }
        let father = await fatherStatus(atMicroseconds: now, probe: snapshot.fatherLink)
        return SiteStatusReport(
            site: context.siteName, instance: instance, schemaName: context.schema.name, version: ArborVersion.line, generatedAtMicroseconds: now,
            sequence: logEnd, connectedToCenter: context.connectedToCenter(), isMaster: context.isMaster(), father: father, sons: sons,
            servers: servers, connectedClients: connected, clients: clients, recentErrors: errors, lagHistory: history,
            tree: rootSummary(logEnd: logEnd, father: father, sons: sonSummaries)
        )
    }

    /// This site and its subtree, as it reports itself to its father.
    func summary(atMicroseconds now: Int64) async throws(ServerError) -> SiteSummary {
        let logEnd = context.logTail.lastSequence
        let (_, sonSummaries) = try await sons(context.clients.table, logEnd: logEnd, atMicroseconds: now)
        let father = await fatherStatus(atMicroseconds: now, probe: activity.state.withLock { $0.fatherLink })
        return rootSummary(logEnd: logEnd, father: father, sons: sonSummaries)
    }

    /// The lag of each link now, for the history: the father's as the father answered it, each
    /// son's that fetched from this process.
    func lagSamples(atMicroseconds now: Int64) -> [String: LagHistory.Point] {
        let logEnd = context.logTail.lastSequence
        var samples: [String: LagHistory.Point] = [:]
        if let fatherLag = activity.state.withLock({ $0.fatherLag })?(now), let sequences = fatherLag.sequences {
            samples["father"] = LagHistory.Point(atMicroseconds: now, sequences: sequences, seconds: fatherLag.seconds)
        }
        for record in context.clients.table where record.role == .son {
            guard let lag = activity.fetchLag(of: record.clientId, logEnd: logEnd, atMicroseconds: now) else { continue }
            samples["son \(record.clientId)"] = LagHistory.Point(atMicroseconds: now, sequences: lag.sequences, seconds: lag.seconds)
        }
        return samples
    }

    private func rootSummary(logEnd: Int64, father: SiteStatusReport.FatherStatus?, sons: [SiteSummary]) -> SiteSummary {
        SiteSummary(
            site: context.siteName, sequence: logEnd, connected: true, connectedToCenter: context.connectedToCenter(),
            lagSequences: father?.lagSequences, lagSeconds: father?.lagSeconds, uploadBacklog: father?.uploadBacklog, sons: sons
        )
    }

    /// Every son of the clients table with what this process saw of it and its stored report.
    private func sons(_ table: [ClientRecord], logEnd: Int64, atMicroseconds now: Int64) async throws(ServerError) -> ([SiteStatusReport.SonStatus], [SiteSummary]) {
        let contacts = activity.state.withLock { $0.sonContacts }
        var statuses: [SiteStatusReport.SonStatus] = [], summaries: [SiteSummary] = []
        for record in table.sorted(by: { $0.clientId < $1.clientId }) where record.role == .son {
            let id = record.clientId
            let stored: StoredSonReport?
            do {
                stored = try await context.store.siteState(StoredSonReport.key(son: id)).flatMap { try? JSONDecoder().decode(StoredSonReport.self, from: Data($0.utf8)) }
            } catch {
                throw ServerError(.internalError, "site '\(context.siteName)' could not read the report of son '\(id)': \(error.message); retry later")
            }
            let lastContact = [contacts[id], stored?.receivedMicroseconds].compactMap { $0 }.max()
            let connected = !record.isDisabled && lastContact.map { now - $0 <= sonTimeoutMicroseconds } == true
            let lag = activity.fetchLag(of: id, logEnd: logEnd, atMicroseconds: now)
            let lagSequences = lag?.sequences ?? stored?.summary.lagSequences
            var lagSeconds = lag?.seconds ?? stored?.summary.lagSeconds
            // A son that fell silent is as far behind as its silence at least.
            if !connected, let lastContact, let seconds = lagSeconds, lagSequences ?? 0 > 0 || seconds > 0 {
                lagSeconds = max(seconds, Self.seconds(now - lastContact))
            }
            let reportAge = stored.map { Self.seconds(now - $0.receivedMicroseconds) }
            statuses.append(SiteStatusReport.SonStatus(
                clientId: id, site: stored?.summary.site, enabled: !record.isDisabled, connected: connected,
                lastContactSecondsAgo: lastContact.map { Self.seconds(now - $0) }, lagSequences: lagSequences, lagSeconds: lagSeconds,
                uploadBacklog: stored?.summary.uploadBacklog, reportAgeSeconds: reportAge
            ))
            var summary = stored?.summary ?? SiteSummary(site: id, sequence: 0, connected: connected, connectedToCenter: false)
            summary.clientId = id
            summary.connected = connected
            summary.lagSequences = lagSequences
            summary.lagSeconds = lagSeconds
            summary.reportAgeSeconds = reportAge
            summaries.append(summary)
        }
        return (statuses, summaries)
    }

    /// The father link: from the link itself when it runs here, else what the site state holds.
    private func fatherStatus(atMicroseconds now: Int64, probe: (@Sendable (Int64) async -> SiteStatusReport.FatherStatus?)?) async -> SiteStatusReport.FatherStatus? {
        if let probe, let status = await probe(now) { return status }
        // Another process is the master: the applied position is shared through the store.
        guard let applied = try? await context.store.siteCounter(FatherLink.appliedKey) else { return nil }
        let uploaded = try? await context.store.siteCounter(FatherLink.uploadedKey)
        let transmitted = try? await context.store.siteCounter(FatherLink.transmittedKey)
        return SiteStatusReport.FatherStatus(
            servers: [], clientId: "", state: "run by the master process", connected: context.connectedToCenter(), linkRunsHere: false,
            lastContactSecondsAgo: transmitted.map { Self.seconds(now - $0) }, appliedSequence: applied, lagSequences: nil, lagSeconds: nil,
            uploadBacklog: uploaded.map { max(0, context.logTail.lastSequence - $0) }
        )
    }

    static func seconds(_ microseconds: Int64) -> Double {
        (Double(max(0, microseconds)) / 100_000).rounded() / 10
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
