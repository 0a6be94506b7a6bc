import ArborCore
import ArborStore
import Foundation

extension DeltaServer {
    /// FetchDeltas (§2.5): the deltas after `request.fromSequence` that the client's slice and
    /// registrations route to it, waiting for new ones up to the request's wait (long poll).
    ///
    /// Fetching from the sequence of the previous answer acknowledges it: the registration
    /// changes of that answer (a FULL makes the client synchronized) are persisted then, and
    /// not before (DESIGN rule 3). The wait ends early when the task is cancelled, and with
    /// `ClientDisabled` (or `UnknownClient` for a registered fetch) as soon as the clients table
    /// shows the client disabled or removed (§2.7).
    public func fetch(client requester: AuthenticatedClient?, request: FetchRequest) async throws(ServerError) -> DeltaBatch {
        context.metrics.fetchOpened()
        defer { context.metrics.fetchClosed() }
        let requester = try context.authority.requireReader(requester, for: "a fetch")
        let clientId = requester?.id
        let slice = try context.parseSlice(request.slice)
        try await context.authority.requirePermit(requester, slice)
        let (client, record) = try await routingClient(requester, registered: request.registered, slice: slice)
        // A proxy with selective distribution (§8.3) serves only the topics it receives.
        try await context.proxyTopics?.admitFetch(slice)
        let fromSequence = request.fromSequence
        try await catchUpWithCommits()
        try await context.admitLogPosition(fromSequence, of: request.logIncarnation, clientId: clientId)
        try await checkPosition(fromSequence, clientId: clientId)
        do { try context.logTail.checkNotBlocked(at: fromSequence) } catch {
            context.logger.error("\(error)")
            throw ServerError(.internalError, "site '\(context.siteName)' cannot read its log after \(fromSequence): \(error.description)")
        }
        let start: FetchStart
        do {
            start = try await sessions.begin(clientId: clientId, client: client, fromSequence: fromSequence)
        } catch {
            throw failure("saving the fetch acknowledgement of client '\(clientId ?? "")'", error)
        }
        guard case .route(var ticket) = start else {
            if case .behindAcknowledged(let acknowledged) = start { throw Self.behindAcknowledged(fromSequence, acknowledged, clientId, site: context.siteName) }
            throw ServerError(.internalError, "unexpected fetch start")
        }
        let deadline = ContinuousClock.now + waitDuration(request.waitMilliseconds)
        guard let clientId else { return try await routeWhenAvailable(&ticket, fromSequence: fromSequence, until: deadline, watching: record) }
        // The status page shows the client's slice, open polls and lag.
        let activity = context.activity, logTail = context.logTail
        let token = activity.fetchBegan(
            clientId: clientId, slice: request.slice, registered: request.registered, fromSequence: fromSequence, logEnd: logTail.lastSequence,
            atMicroseconds: EntitiesSubsystem.systemMicroseconds()
        )
        var answered: Int64?
        defer { activity.fetchEnded(token, answeredSequence: answered, logEnd: logTail.lastSequence, atMicroseconds: EntitiesSubsystem.systemMicroseconds()) }
        let answer = try await routeWhenAvailable(&ticket, fromSequence: fromSequence, until: deadline, watching: record)
        answered = answer.sequence
        return answer
    }

    /// The refusal of a fetch from before the acknowledged sequence (issue 10 item 12): the
    /// registration changes up to there are persisted, so routing from the older position would
    /// skip FULLs the client needs and send PARTIALs of entities it lacks.
    static func behindAcknowledged(_ fromSequence: Int64, _ acknowledged: Int64, _ clientId: String?, site: String) -> ServerError {
        ServerError(
            .tooFarBehind,
            "client '\(clientId ?? "")' fetches from sequence \(fromSequence), before sequence \(acknowledged) it already acknowledged at site '\(site)' (was it restored from an older copy?): SyncLoad to catch up")
    }

    /// Read your writes (issue 10 item 6): asks the store for its committed horizon (one cheap
    /// query) and, when this process's log tail is behind it — the tail is woken after a commit,
    /// not at it, and another process of the site may have committed — reads the log up to there,
    /// so every append acknowledged before this request is routed by it. The query is shared by
    /// the fetches that ask at once, each answered by one that began after it asked.
    func catchUpWithCommits() async throws(ServerError) {
        do {
            try await context.logTail.catchUp(through: try await context.committedSequence.value())
        } catch {
            // A cancelled fetch answers what it has (nothing); that is no failure of the site.
            if Task.isCancelled { return }
            throw failure("reading the log up to its last commit", error)
        }
    }

    /// Waits for transactions after the client's position and routes them, until something is
    /// delivered, a full answer's worth was routed, the deadline passes or the task is cancelled.
    /// Transactions that deliver nothing still advance the answer's sequence.
    private func routeWhenAvailable(
        _ ticket: inout FetchTicket, fromSequence: Int64, until deadline: ContinuousClock.Instant, watching record: ClientRecord?
    ) async throws(ServerError) -> DeltaBatch {
        let limit = max(1, context.settings.maximumBuffersPerAnswer)
        var answer = DeltaBatch(buffers: [], sequence: fromSequence)
        while true {
            if context.logTail.lastSequence <= answer.sequence {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero, !Task.isCancelled else { return answer }
                await waitForLogOrCutOff(after: answer.sequence, timeout: remaining, watching: record)
                if try servedNoLonger(record, registered: ticket.machine.client.isRegistered) { return answer }
                guard context.logTail.lastSequence > answer.sequence, !Task.isCancelled else { return answer }
            }
            let buffers: [DeltaBuffer]
            do {
                buffers = try await context.logTail.buffers(after: fromSequence, limit: limit)
            } catch {
                throw failure("reading the log after \(fromSequence)", error)
            }
            let states = try await registrationStates(of: ticket.machine.client, in: buffers)
            let batch = ticket.machine.route(buffers: buffers, acknowledged: { states[$0] ?? .unregistered })
            let delivered = batch.buffers.reduce(0) { $0 + $1.deltas.count }
            context.metrics.routed(delivered + batch.skipped.values.reduce(0, +), delivered: delivered, skipped: batch.skipped)
            do {
                try await sessions.complete(&ticket)
            } catch {
                throw failure("saving the fetch acknowledgement of client '\(ticket.clientId ?? "")'", error)
            }
            let advanced = batch.lastSequence > answer.sequence
            answer = DeltaBatch(buffers: batch.buffers, sequence: batch.lastSequence)
            if try servedNoLonger(record, registered: ticket.machine.client.isRegistered) { return answer }
            if !batch.isEmpty || buffers.count >= limit || !advanced { return answer }
        }
    }

    /// The routing client of a fetch, checked against the clients table and registrations,
    /// and the client's row to watch while the fetch runs (nil for an unknown unregistered client).
    private func routingClient(
        _ client: AuthenticatedClient?, registered: Bool, slice: TopicsSlice
    ) async throws(ServerError) -> (RoutingClient, ClientRecord?) {
        guard registered, context.settings.useRegistration else {
            return (.unregistered(slice: slice), client?.admittedRecord)
        }
        let record = try context.authority.requireClient(client, for: "a registered fetch").admittedRecord
        let known: Bool
        do {
            known = try await context.registrations.isKnown(record.bit)
        } catch {
            throw failure("reading the registrations of client '\(record.clientId)'", error)
        }
        guard known else {
            throw ServerError(
                .notRegistered,
                "site '\(context.siteName)' holds no registrations for client '\(record.clientId)': call RegisterEntities or SyncLoad first")
        }
        // Only sons are addressed by REGISTER deltas and learn of negated topics (rule 1).
        let namingTopic = record.role == .son ? SiteTopics.naming(son: record.clientId) : nil
        return (.registered(record.bit, slice: slice, namingTopic: namingTopic), record)
    }

    /// Refuses a position older than the retained log (`TooFarBehind`) or beyond its end
    /// (`LogReplaced`: answering it empty would leave the client waiting there forever).
    private func checkPosition(_ fromSequence: Int64, clientId: String?) async throws(ServerError) {
        guard fromSequence >= 0 else {
            throw ServerError(.badRequest, "fromSequence must not be negative (got \(fromSequence))")
        }
        let tail = context.logTail.lastSequence
        if fromSequence < tail - context.settings.retainedSequences {
            throw ServerError(
                .tooFarBehind,
                "sequence \(fromSequence) is older than the \(context.settings.retainedSequences) sequences site '\(context.siteName)' retains (last \(tail)): SyncLoad to catch up")
        }
        if fromSequence > tail {
            let last = try await currentSequence()
            guard fromSequence <= last else { throw context.beyondLogEnd(fromSequence, last: last, clientId: clientId) }
        }
    }

    /// The client's persisted registration states on the entities of `buffers` (none for an
    /// unregistered client).
    private func registrationStates(of client: RoutingClient, in buffers: [DeltaBuffer]) async throws(ServerError) -> [UUID: RegistrationState] {
        guard let bit = client.bit else { return [:] }
        let techIds = Set(buffers.lazy.flatMap(\.deltas).map(\.techId))
        guard !techIds.isEmpty else { return [:] }
        do {
            return try await context.registrations.states(of: bit, on: techIds)
        } catch {
            throw failure("reading registrations for \(techIds.count) entities", error)
        }
    }

    /// The request's wait, or the default, capped by the settings; never negative.
    private func waitDuration(_ milliseconds: Int?) -> Duration {
        let asked = milliseconds.map { Duration.milliseconds(max(0, $0)) } ?? Self.defaultWait
        return min(asked, context.settings.maximumWait)
    }
}
