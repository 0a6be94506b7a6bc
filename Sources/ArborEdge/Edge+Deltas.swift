import ArborCore
import Foundation
import Logging

/// Delta-server services: steady-state fetches, registration, appends, and status (§2.3–§2.5, §7.3).
extension Edge {
    /// FetchDeltas (§2.5): suspends until deltas arrive, then returns them and advances
    /// ``sequence`` to the last returned transaction.
    ///
    /// Long-polls with ``EdgeConfiguration/fetchWait`` while answers are empty, taking the
    /// sequence of each answer. Each poll asks from the current ``sequence``, which also
    /// acknowledges the batch returned before. Cancel the task to stop waiting. Throws
    /// `NotRegistered` (register, then fetch again), `TooFarBehind` (sync-load), `LogReplaced`
    /// (the site was restored from a backup: reload, registering the entities you hold),
    /// `Unreachable` (call again), and `InvalidUse` before a load or while another fetch runs.
    ///
    /// When a proxy site with selective distribution answers `TopicNotInProxySlice` (§8.3), the
    /// edge loads its slice from the site's cache server (which makes the site receive the
    /// slice's topics) and returns the loaded entities as create-deltas; the next call fetches
    /// as usual. A second refusal right after such a load is thrown.
    public func fetchDeltas() async throws -> [DeltaBuffer] {
        var reloaded = false
        while true {
            try Task.checkCancellation()
            let started = clock.now
            let buffers: [DeltaBuffer]
            do {
                buffers = try await fetchDeltasOnce(waitMilliseconds: configuration.fetchWaitMilliseconds)
            } catch let error as EdgeError where error.isTopicNotInProxySlice && !reloaded {
                reloaded = true
                let load = try await reloadForProxy()
                if !load.buffers.isEmpty { return load.buffers }
                continue
            }
            reloaded = false
            if !buffers.isEmpty { return buffers }
            // A server that answers empty long before the wait is over does not hold long
            // polls; pause so the loop does not spin.
            if clock.now - started < configuration.fetchWait / 2 {
                try await Task.sleep(for: configuration.retryBackoff, clock: clock)
            }
        }
    }

    /// One fetch: waits up to `waitMilliseconds` (0…60000) for deltas after ``sequence``;
    /// returns them, possibly none, and advances ``sequence`` to the answer's.
    public func fetchDeltasOnce(waitMilliseconds: Int) async throws -> [DeltaBuffer] {
        guard (0...60_000).contains(waitMilliseconds) else {
            throw EdgeError(code: .invalidUse, message: "waitMilliseconds must be between 0 and 60000")
        }
        let ticket = try state.withLock { state throws(EdgeError) in try state.beginFetch() }
        var newSequence: Int64?
        var answerLog: UUID?
        defer { state.withLock { _ = $0.endFetch(ticket, sequence: newSequence, logIncarnation: answerLog) } }
        let body = FetchRequest(
            fromSequence: ticket.fromSequence, slice: ticket.slice,
            registered: configuration.useRegistration, waitMilliseconds: waitMilliseconds, logIncarnation: ticket.logIncarnation
        )
        let request = try post(deltaPath("fetch"), body, deltas: true, wait: .milliseconds(waitMilliseconds))
        let reply = try await perform(request)
        let decoded = try reply.deltaBuffers(schema: configuration.schema, requested: configuration.format, maximumBufferBytes: configuration.maximumBufferBytes)
        newSequence = decoded.sequence
        answerLog = reply.logIncarnation
        return decoded.buffers
    }

    /// RegisterEntities (§2.4, §2.5): tells the server the client holds `entities`,
    /// synchronized; returns the server's sequence at registration.
    @discardableResult
    public func registerEntities(_ entities: [EntityRef]) async throws -> Int64 {
        let request = try post(deltaPath("register"), RegisterRequest(entities: entities))
        return try await perform(request).json(SequenceResponse.self).sequence
    }

    /// UnregisterEntities (§2.3, §2.5): the client no longer wants `entities`; `sequence` is the
    /// load or last received sequence they were removed at. With `fetchedThrough`, the caller
    /// holds every fetched answer through that sequence, and the registrations its last answer
    /// brought are committed first. Returns the server's sequence.
    @discardableResult
    public func unregisterEntities(_ entities: [EntityRef], sequence: Int64, fetchedThrough: Int64? = nil) async throws -> Int64 {
        let request = try post(deltaPath("unregister"), UnregisterRequest(entities: entities, sequence: sequence, fetchedThrough: fetchedThrough))
        return try await perform(request).json(SequenceResponse.self).sequence
    }

    /// Appends application writes, given in the JSON form of ``EntityWriteJSON``
    /// (`{"writes": [...]}`); answered after commit.
    ///
    /// The writes are checked against the schema before sending (`BadRequest` naming the write).
    /// They fail over only when the request certainly did not reach a server; when no answer
    /// came after sending, `OutcomeUnknown` says they may or may not have been committed.
    ///
    /// Every append carries a request id (`X-Arbor-Request-Id`, issue 10 item 13): `requestId`,
    /// or a new UUID. The site records the outcome with the commit and answers a resent id with
    /// it, so when no answer comes the edge resends the same id across its server list (up to
    /// ``appendRounds`` rounds). Only when every round ends without an answer is the error
    /// `OutcomeUnknown`, naming the id: resend with `append(json:requestId:)` and that id later
    /// to learn the outcome without applying anything twice.
    public func append(json: Data, requestId: String? = nil) async throws -> AppendResponse {
        do {
            _ = try EntityWriteJSON.decode(json, schema: configuration.schema)
        } catch {
            throw EdgeError(code: .badRequest, message: "writes do not fit schema \(configuration.schema.name): \(error.message)")
        }
        let id = requestId ?? UUID().uuidString
        guard ArborProtocol.Header.isValidRequestId(id) else {
            throw EdgeError(code: .badRequest, message: "request id must be 1 to 128 visible ASCII characters")
        }
        let request = EdgeRequest(
            method: .post, path: deltaPath("append"), body: json, accept: ArborProtocol.jsonMediaType,
            timeout: configuration.requestTimeout, idempotent: true, requestId: id
        )
        var round = 1
        while true {
            do {
                return try await perform(request).json(AppendResponse.self)
            } catch let error as EdgeError where error.code == .outcomeUnknown && round < Self.appendRounds {
                // `perform` waits the retry backoff before the next round.
                round += 1
                logger.notice("arbor edge resends an append whose outcome is unknown", metadata: ["requestId": "\(id)", "reason": "\(error.message)"])
            }
        }
    }

    /// How many rounds over the server list an append whose answer was lost is sent.
    public static let appendRounds = 3

    /// Appends typed application writes (encoded with ``EntityWriteJSON``); answered after
    /// commit, with the same fail-over rules as ``append(json:)``.
    public func append(_ writes: [EntityWrite], requestId: String? = nil) async throws -> AppendResponse {
        let json: Data
        do {
            json = try EntityWriteJSON.encode(writes, schema: configuration.schema)
        } catch {
            throw EdgeError(code: .badRequest, message: "writes do not fit schema \(configuration.schema.name): \(error.message)")
        }
        return try await append(json: json, requestId: requestId)
    }

    /// Whether the site's delta or cache server is up (§7.3), asked of the current server.
    public func status(server kind: ServerKind) async throws -> StatusResponse {
        let request = EdgeRequest(
            method: .get, path: kind == .delta ? deltaPath() : cachePath(), body: nil,
            accept: ArborProtocol.jsonMediaType, timeout: configuration.requestTimeout, idempotent: true
        )
        return try await perform(request).json(StatusResponse.self)
    }
}
