import ArborCore
import ArborStore
import Foundation
import Synchronization

/// The father's side of its sons' links (DESIGN rule 9): sons behind NAT push their
/// father-bound deltas here instead of being read by the father, and the father treats that
/// stream exactly as the guide's unregistered edge reading the son's log (§2.6.3).
///
/// Per son, uploads run one at a time. The son's applied position is kept in the site counter
/// `link.son.<clientId>.applied` and recorded with each buffer's data (``OrderedBufferApplier``),
/// so a re-sent buffer is skipped and a restart loses nothing. Uploads and heartbeats also tell which sons are
/// connected (`ControlAndParams.statusChanged(subsystem: "son <id>", …)`).
public final class LinkServer: Sendable {
    /// How long a son may stay silent before it is reported disconnected (node/daemon: 30 s).
    public static let defaultSonTimeout: Duration = .seconds(30)

    let context: SiteContext
    private let gate = KeyedSerialGate()
    let contacts: Mutex<SonContacts>
    private let watchdog = Mutex<Task<Void, Never>?>(nil)
    /// Per son, how long its download has been behind this site's log (``LinkServer/sampleMetrics()``).
    let lagClocks = Mutex<[String: LinkLagClock]>([:])
    private let metricsSampler = Mutex<UInt64?>(nil)

    public init(context: SiteContext, sonTimeout: Duration? = nil) {
        self.context = context
        contacts = Mutex(SonContacts(timeout: sonTimeout ?? context.settings.sonTimeout))
        let sampler = context.metrics.addSampler { [weak self] in await self?.sampleMetrics() }
        metricsSampler.withLock { $0 = sampler }
    }

    deinit {
        watchdog.withLock { $0?.cancel() }
        if let sampler = metricsSampler.withLock({ $0 }) { context.metrics.removeSampler(sampler) }
    }

    /// The client `clientId` names, for a caller inside this process (no credential needed):
    /// `UnknownClient` or `ClientDisabled` as over HTTP.
    public func inProcessClient(_ clientId: String) throws(ServerError) -> AuthenticatedClient {
        try context.authority.inProcess(clientId)
    }

    /// The site counter of a son's applied position: per incarnation of the son's database
    /// (`X-Arbor-Site-Incarnation`), so a rebuilt or restored son starts cleanly; a son that
    /// sends no incarnation (an older Arbor) keeps the one position of its client id.
    public static func appliedKey(son clientId: String, incarnation: UUID? = nil) -> String {
        guard let incarnation else { return "link.son.\(clientId).applied" }
        return "link.son.\(clientId).\(incarnation.uuidString.lowercased()).applied"
    }

    /// The incarnation header's value, refused before anything is read or stored when it is no UUID.
    public static func incarnation(_ text: String?) throws(ServerError) -> UUID? {
        guard let text else { return nil }
        guard let incarnation = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ServerError(.badRequest, "\(ArborProtocol.Header.siteIncarnation) must be a UUID (got '\(text.prefix(64))'); it is the son database's incarnation made by `arbor init`")
        }
        return incarnation
    }

    /// Upload: merges the son's buffers it has not applied yet, in order, each with its position.
    /// The position moves only over buffers received (issue 11 item 3): `throughSequence`
    /// (`X-Arbor-Sequence`), when sent, must be the last buffer's sequence. A son covers log
    /// sequences with nothing for this site by ending the upload with an empty buffer at the
    /// last of them (``UploadBatch``). Only sons may upload. Answers the son's position afterwards.
    ///
    /// `after` (`X-Arbor-Upload-After`) is the position the son believes this site applied
    /// through. When this site's is lower (it was restored from an older backup), the buffers
    /// would leave a gap: nothing is applied, and the answer's lower position makes the son
    /// send again from there.
    public func upload(
        client: AuthenticatedClient, incarnation: UUID? = nil, after: Int64? = nil, throughSequence: Int64?, body: some Collection<UInt8>
    ) async throws(ServerError) -> UploadResponse {
        try requireSon(client, for: "delta/upload")
        let son = client.id
        let history: SchemaHistory
        do { history = try await context.schemas.history() } catch {
            context.logger.error("link server: reading the schema history failed: \(error)")
            throw ServerError(.internalError, "reading the schema history failed at site '\(context.siteName)'; retry later")
        }
        let buffers = try Self.decode(body, history: history, maximumBufferBytes: context.settings.limits.maximumTransactionBytes)
        try Self.checkClaim(throughSequence, buffers: buffers)
        await noteContact(son)
        let key = Self.appliedKey(son: son, incarnation: incarnation)
        let applier = OrderedBufferApplier(entities: context.entities, store: context.store, positionName: key, source: .son(clientId: son))
        let logger = context.logger
        let store = context.store
        let fatherEntities = context.fatherEntities
        let (position, fatherSequence) = try await serialized(son, "applying the uploads of son '\(son)'") {
            if let after {
                let applied = try await store.siteCounter(key) ?? 0
                if applied < after {
                    logger.warning("son '\(son)' uploads after its log position \(after), but this site applied its log only through \(applied) (this site was restored from an older backup?): nothing applied; the son sends again from \(applied)")
                    return (applied, try await store.lastSequence())
                }
            }
            let outcome = try await Self.apply(buffers, with: applier, loadingMissingFrom: fatherEntities, son: son, logger: logger)
            if !outcome.missing.isEmpty {
                // Nothing to merge into: this site (or its father, asked first) does not hold them.
                logger.warning("son '\(son)' updated \(outcome.missing.count) entities neither this site nor its father holds (purged?); their changes are dropped")
            }
            // Read after the apply, so the son's download passes every delta it made.
            return (outcome.position, try await store.lastSequence())
        }
        // An empty end buffer only carries the position; it is no uploaded change.
        await context.control.count("link.son.uploadedBuffers", by: buffers.filter { !$0.deltas.isEmpty }.count)
        return UploadResponse(appliedThrough: position, fatherSequence: fatherSequence)
    }

    /// Refuses an upload whose buffers are out of order, or whose `X-Arbor-Sequence` is not its
    /// last buffer's sequence (an empty upload carries none): a claim beyond the buffers would
    /// move the son's position over sequences never received, and every later upload of that
    /// son would then be skipped as already applied.
    static func checkClaim(_ throughSequence: Int64?, buffers: [DeltaBuffer]) throws(ServerError) {
        for (earlier, later) in zip(buffers, buffers.dropFirst()) where later.sequence <= earlier.sequence {
            throw ServerError(.badRequest, "uploaded buffers must be in increasing sequence order (\(later.sequence) follows \(earlier.sequence))")
        }
        guard let throughSequence else { return }
        let header = ArborProtocol.Header.sequence
        guard let last = buffers.last else {
            throw ServerError(.badRequest, "an upload without buffers must not carry \(header) (got \(throughSequence)): the position moves only over buffers received; send an empty buffer at the last sequence to cover sequences with nothing for this site")
        }
        guard throughSequence == last.sequence else {
            throw ServerError(.badRequest, "\(header) \(throughSequence) is not the sequence of the upload's last buffer (\(last.sequence)): the position moves only over buffers received; send an empty buffer at the last sequence to cover sequences with nothing for this site")
        }
    }

    /// Refuses a client that is not a son (issue 11 item 3): only sons upload, so only sons
    /// bring site topics (`#arbor.*`) and move an upload position. Checked before anything is read.
    public func requireSon(_ client: AuthenticatedClient, for service: String) throws(ServerError) {
        guard !client.role.mayUpload else { return }
        throw ServerError(
            .notPermitted,
            "client '\(client.id)' is an application at site '\(context.siteName)'; only son sites may call \(service). If '\(client.id)' is a son site, give it the son role: `arbor clients set-role \(client.id) son` (or add it with `arbor clients add \(client.id) --role son`)"
        )
    }

    /// Upload-position: the son's position (0 before its first upload); the son calls it on
    /// connect and as its heartbeat. Only sons may ask.
    public func uploadPosition(client: AuthenticatedClient, incarnation: UUID? = nil) async throws(ServerError) -> UploadResponse {
        try requireSon(client, for: "delta/upload-position")
        let son = client.id
        await noteContact(son)
        let key = Self.appliedKey(son: son, incarnation: incarnation)
        let store = context.store
        let position = try await serialized(son, "reading the position of son '\(son)'") {
            try await store.siteCounter(key) ?? 0
        }
        return UploadResponse(appliedThrough: position)
    }

    /// Splits and decodes an upload body (concatenated binary delta buffers) of `schema` only,
    /// each buffer of at most `maximumBufferBytes`; a larger one is `TooLarge`.
    public static func decode(
        _ body: some Collection<UInt8>, schema: DistributionSchema, maximumBufferBytes: Int = WriteLimits.defaultMaximumTransactionBytes
    ) throws(ServerError) -> [DeltaBuffer] {
        try decode(body, history: SchemaHistory(current: schema), maximumBufferBytes: maximumBufferBytes)
    }

    /// Splits and decodes an upload body, each buffer with the schema of `history` it names
    /// (a son still on an older schema uploads buffers of that schema), read as buffers of the
    /// current schema; each of at most `maximumBufferBytes`, a larger one is `TooLarge`.
    public static func decode(
        _ body: some Collection<UInt8>, history: SchemaHistory, maximumBufferBytes: Int = WriteLimits.defaultMaximumTransactionBytes
    ) throws(ServerError) -> [DeltaBuffer] {
        var framer = DeltaBufferFramer(maxBufferSize: maximumBufferBytes)
        framer.append(body)
        var buffers: [DeltaBuffer] = []
        do {
            while let frame = try framer.nextFrame() {
                buffers.append(try DeltaBufferCodec.decode(frame, history: history, maxBufferSize: maximumBufferBytes))
            }
            try framer.finish()
        } catch {
            if error.code == .oversized {
                throw ServerError(.tooLarge, "an uploaded buffer is above the limit of \(maximumBufferBytes) bytes (setting maximumTransactionBytes): \(error.description)")
            }
            if error.code == .schemaMismatch { throw ServerError(.schemaMismatch, "uploaded \(error.description)") }
            throw ServerError(.badRequest, "the upload body is not a sequence of delta buffers: \(error.description)")
        }
        return buffers
    }

    /// Runs `work` alone for `son`, mapping store failures to protocol errors.
    private func serialized<T: Sendable>(_ son: String, _ action: String, _ work: () async throws -> T) async throws(ServerError) -> T {
        do {
            return try await gate.run(son, work)
        } catch {
            throw ServerError.storeFailure("link server: \(action)", error, siteName: context.siteName, logger: context.logger)
        }
    }

    // MARK: Connected sons

    func noteContact(_ son: String) async {
        context.activity.sonContacted(son, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
        let isNew = contacts.withLock { $0.contacted(son, at: .now) }
        guard isNew else { return }
        context.logger.notice("son '\(son)' connected")
        await context.control.statusChanged(subsystem: "son \(son)", status: "connected")
        startWatchdog()
    }

    /// Reports sons that fell silent; runs while any son is connected.
    private func startWatchdog() {
        let interval = contacts.withLock { $0.timeout } / 4
        watchdog.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let self else { return }
                    guard await self.reportSilentSons() else { return }
                }
            }
        }
    }

    /// Reports disconnected sons; false (and the watchdog cleared) when none is left.
    private func reportSilentSons() async -> Bool {
        let silent = contacts.withLock { $0.expire(at: .now) }
        for son in silent {
            context.logger.notice("son '\(son)' disconnected (silent for more than \(contacts.withLock { $0.timeout }))")
            await context.control.statusChanged(subsystem: "son \(son)", status: "disconnected")
        }
        return contacts.withLock { contacts in
            guard contacts.isEmpty else { return true }
            watchdog.withLock { $0 = nil }
            return false
        }
    }
}
