import ArborCore
import ArborEdge
import ArborStore
import Foundation

/// The download half: loads and fetches from the father, merged as `.father` (§2.6.2).
///
/// Every merge records the father sequence it reaches in the same transaction, so a restarted
/// link resumes (SkipLoad) exactly where the data stands and never applies an answer twice.
extension FatherLink {
    /// How often the last transmission time is written without other news (older is safe:
    /// a SyncLoad from an older time only sends more).
    static let transmissionRecordInterval: Duration = .seconds(30)

    func runDownload(_ edge: Edge) async {
        var machine = FatherDownloadStateMachine(
            retryBackoff: settings.retryBackoff, refusedRetryInterval: settings.refusedRetryInterval, disabledRetryInterval: settings.disabledRetryInterval
        )
        var action = machine.start()
        var position: Int64 = 0
        /// Whether the registering load under way reloads a restored copy of this site.
        var reloadingRestoredCopy = false
        // The father log `position` belongs to, as recorded (``FatherLink/fatherLogKey``).
        var fatherLog: UUID?
        var transmissionRecorded: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                switch action {
                case .readPosition:
                    // A restored copy reloads instead of resuming: what it lost never comes down
                    // otherwise; so does a son upgraded to a newer schema (FatherLink+SchemaUpgrade).
                    let restored = try await context.store.siteCounter(SiteIncarnation.reloadPendingCounter) == 1
                    reloadingRestoredCopy = restored
                    let upgraded = try await schemaChangedSinceLoad()
                    let reload = restored || upgraded
                    let applied = reload ? nil : try await context.store.siteCounter(Self.appliedKey)
                    let transmitted = try await context.store.siteCounter(Self.transmittedKey)
                    var holds = false
                    if applied == nil { holds = try await !heldEntities().isEmpty }
                    position = applied ?? 0
                    fatherLog = try await context.store.siteState(Self.fatherLogKey).flatMap(UUID.init(uuidString:))
                    let subscribed = try await context.store.siteState(Self.subscribedSliceKey)
                    let changeStarted = try await context.store.siteState(Self.sliceChangeStartedKey)
                    action = machine.positionRead(
                        applied: applied, transmitted: transmitted, holdsEntities: holds, subscribed: subscribed, configured: configuredSlice,
                        changeStarted: changeStarted
                    )
                case .fullLoad:
                    let load = try await withLinkSlice { try await edge.fullLoad(slice: $0) }
                    count { $0.fullLoads += 1 }
                    // Recorded before the load's position: a link stopped in between must not
                    // resume with no slice on record and take the configured one as subscribed.
                    try await recordSubscribedSlice()
                    position = try await applyLoad(load).position
                    fatherLog = try await recordFatherLog(of: edge, recorded: fatherLog)
                    await answeredDownload(edge)
                    try await dropHeldEntitiesTheSliceNegates()
                    action = machine.loaded()
                case .syncLoadRegistering(let fatherLostData):
                    let held = try await heldEntities()
                    let uploaded = try await context.store.siteCounter(Self.uploadedKey) ?? 0
                    let load = try await withLinkSlice { try await edge.syncLoad(entities: held, slice: $0, lastTransmissionTime: .zero) }
                    count { $0.syncLoads += 1 }
                    try await recordSubscribedSlice()
                    let applied = try await applyLoad(load)
                    position = applied.position
                    fatherLog = try await recordFatherLog(of: edge, recorded: fatherLog)
                    // A held entity the answer lacks is one the father no longer holds or withholds
                    // (a negated topic): dropped, as after this site's own restore or a reload for a
                    // schema upgrade. After the father lost its own data instead (LogReplaced, a
                    // replaced database), it may be one of the father's lost writes: sent back up.
                    if fatherLostData && !reloadingRestoredCopy {
                        try await republishWhatTheRestoredFatherLost(held: held, answer: load, newerHere: applied.newerHere)
                    } else {
                        try await dropEntitiesTheFatherLacks(held: held, answer: load, uploadedBefore: uploaded, position: position, edge: edge)
                    }
                    reloadingRestoredCopy = false
                    await answeredDownload(edge)
                    try await dropHeldEntitiesTheSliceNegates()
                    action = machine.loaded()
                case .syncLoad(let since):
                    // The registrations of the last answer applied here are committed before the
                    // load starts the fetch session over (fetchedThrough).
                    let fetched = position
                    let load = try await withLinkSlice {
                        try await edge.syncLoad(slice: $0, lastTransmissionTime: since, fetchedThrough: fetched)
                    }
                    count { $0.syncLoads += 1 }
                    position = try await applyLoad(load).position
                    fatherLog = try await recordFatherLog(of: edge, recorded: fatherLog)
                    await answeredDownload(edge)
                    try await dropHeldEntitiesTheSliceNegates()
                    action = machine.loaded()
                case .skipLoad(let lastSequence):
                    do {
                        try await withLinkSlice { try await edge.skipLoad(slice: $0, lastSequence: lastSequence, logIncarnation: fatherLog) }
                    } catch let error as EdgeError where error.code == .badRequest {
                        throw PositionUnknown(message: error.message)
                    }
                    count { $0.skipLoads += 1 }
                    state.withLock { $0.downloadReady = true }
                    await answeredDownload(edge)
                    // A son from before slices were recorded: the one it resumes with is its slice.
                    if try await context.store.siteState(Self.subscribedSliceKey) == nil { try await recordSubscribedSlice() }
                    try await dropHeldEntitiesTheSliceNegates()
                    action = machine.loaded()
                case .changeSlice(let oldSlice, let lastSequence):
                    do {
                        try await edge.skipLoad(slice: oldSlice, lastSequence: lastSequence, logIncarnation: fatherLog)
                    } catch let error as EdgeError where error.code == .badRequest {
                        throw PositionUnknown(message: error.message)
                    }
                    count { $0.skipLoads += 1 }
                    state.withLock { $0.downloadReady = true }
                    await answeredDownload(edge)
                    try await changeSlice(edge, from: oldSlice)
                    // A load of the whole new slice brings held entities the slice now negates.
                    try await dropHeldEntitiesTheSliceNegates()
                    try await dropDeferredEntities(downloadedThrough: position, edge: edge)
                    action = machine.loaded()
                case .fetch:
                    guard let buffers = try await interruptibleFetch(edge) else { continue }
                    let now = EntitiesSubsystem.systemMicroseconds()
                    await answeredDownload(edge)
                    position = try await apply(buffers, answeredThrough: edge.sequence, from: position, edge: edge)
                    fatherLog = try await recordFatherLog(of: edge, recorded: fatherLog)
                    try await dropEntitiesBlockedFromAbove(merged: buffers, downloadedThrough: position)
                    try await dropDeferredEntities(downloadedThrough: position, edge: edge)
                    try await sendPendingUnregistrations(edge: edge, fetchedThrough: position)
                    if transmissionRecorded.map({ ContinuousClock.now - $0 >= Self.transmissionRecordInterval }) ?? true {
                        try await context.store.setSiteCounter(Self.transmittedKey, now)
                        transmissionRecorded = .now
                    }
                    action = machine.fetched(atMicroseconds: now)
                case .wait(let delay, let then):
                    try await retryWake.sleep(for: delay)
                    action = then
                }
            } catch is CancellationError {
                return
            } catch {
                // A step cut short by shutdown is no failure to report.
                if Task.isCancelled { return }
                let failure = (error as? PositionUnknown).map { LinkFailure.positionUnknown($0.message) } ?? classify(error)
                log(failure, half: .download)
                var refusal: String?
                if case .refused(let code, let message) = failure { refusal = "\(code): \(message)" }
                if case .disabled(let message) = failure { refusal = "ClientDisabled: \(message)" }
                await note { $0.failed(.download, refusal: refusal) }
                action = machine.failed(failure)
            }
        }
    }

    /// Records the father log the edge's position belongs to when it is not the recorded one, after
    /// the position itself (a stop in between costs one reload, never a position taken for one
    /// in another log); returns the recorded value.
    private func recordFatherLog(of edge: Edge, recorded: UUID?) async throws -> UUID? {
        guard let log = edge.logIncarnation, log != recorded else { return recorded }
        try await context.store.setSiteState(Self.fatherLogKey, log.uuidString.lowercased())
        return log
    }

    /// The father answered a load or fetch: a load counts like a fetch, so a (re)started link is
    /// connected as soon as the father answers, not after the first long poll ends.
    private func answeredDownload(_ edge: Edge) async {
        state.withLock { $0.lastAnswerMicroseconds = EntitiesSubsystem.systemMicroseconds() }
        await note { $0.answered(.download, at: .now, connectedToCenter: edge.connectedToCenter) }
    }

    /// Merges a load's buffers; the last one records the load's sequence (an interrupted load
    /// is loaded again, never taken as done). Returns that sequence and the entities whose copy
    /// here kept parts newer than the father's (a merge rejected or partly accepted).
    private func applyLoad(_ load: DeltaBatch) async throws -> (position: Int64, newerHere: Set<EntityKey>) {
        var newerHere = Set<EntityKey>()
        for (index, buffer) in load.buffers.enumerated() {
            let recording = index == load.buffers.count - 1 ? (Self.appliedKey, load.sequence) : nil
            let receipt = try await context.entities.apply(buffer, from: .father, recording: recording)
            for (delta, outcome) in zip(buffer.deltas, receipt.result.outcomes) where outcome == .rejected || outcome == .partlyAccepted {
                newerHere.insert(delta.key)
            }
            count { $0.appliedBuffers += 1 }
        }
        if load.buffers.isEmpty { try await context.store.setSiteCounter(Self.appliedKey, load.sequence) }
        try await keepRegistered(load.buffers)
        try await context.store.setSiteCounter(Self.transmittedKey, EntitiesSubsystem.systemMicroseconds())
        if try await context.store.siteCounter(SiteIncarnation.reloadPendingCounter) == 1 {
            try await context.store.setSiteCounter(SiteIncarnation.reloadPendingCounter, 0)
        }
        try await recordLoadedSchema()
        state.withLock { $0.downloadReady = true }
        return (load.sequence, newerHere)
    }

    /// Merges fetched buffers in order, each recording its sequence, then records the answer's
    /// sequence when it is beyond them (``OrderedBufferApplier``). From the position this
    /// process holds: when a master that lost its role and another that took it overlap, only one
    /// commits each buffer, and the other re-reads the position and goes on from there.
    ///
    /// Entities the son lacks are loaded whole. Which ones is written to site state
    /// (``missingEntitiesKey``) in the transaction that moves the position past their changes and
    /// cleared after their load, so a link stopped in between (a cut, a kill) loads them on its
    /// next answer instead of losing them.
    private func apply(_ buffers: [DeltaBuffer], answeredThrough answer: Int64, from start: Int64, edge: Edge) async throws -> Int64 {
        let applier = OrderedBufferApplier(entities: context.entities, store: context.store, positionName: Self.appliedKey, source: .father)
        let recorded = PendingEntities(text: try await context.store.siteState(Self.missingEntitiesKey) ?? "")
        let outcome = try await applier.apply(buffers, through: answer, from: start, missingEntities: .remember(under: Self.missingEntitiesKey, known: recorded))
        count { $0.appliedBuffers += outcome.applied }
        if outcome.conflicts > 0 {
            logger.notice("father link: another server process of this site applied fetched buffers meanwhile; going on from \(outcome.position)")
        }
        var missing = recorded
        for (key, time) in outcome.missing { missing.insert(key, at: time) }
        guard !missing.isEmpty else { return outcome.position }
        try await loadMissing(missing, position: outcome.position, edge: edge)
        return outcome.position
    }

    /// Loads `missing` whole and clears the record. The father's copy changed at or after the
    /// oldest change that could not be merged, so a registering SyncLoad from just before it
    /// brings each whole entity; the fetches then go on from `position`, so nothing committed
    /// meanwhile is skipped.
    private func loadMissing(_ missing: PendingEntities, position: Int64, edge: Edge) async throws {
        logger.notice("father link: loading \(missing.entities.count) entities this site lacks")
        let oldest = missing.entities.values.min() ?? HybridTimestamp(microseconds: 0)
        let since = HybridTimestamp(microseconds: max(0, oldest.microseconds - 1_000_000))
        let refs = missing.entities.keys.map { EntityRef($0.entityClass, $0.techId) }
        // `position` is in the log of the fetches, whatever log the load answers from.
        let fetchedLog = edge.logIncarnation
        // The registrations of the answer just applied are committed first (fetchedThrough).
        let load = try await withLinkSlice {
            try await edge.syncLoad(entities: refs, slice: $0, lastTransmissionTime: since, fetchedThrough: position)
        }
        count { $0.syncLoads += 1 }
        for buffer in load.buffers {
            try await context.entities.apply(buffer, from: .father)
            count { $0.appliedBuffers += 1 }
        }
        try await keepRegistered(load.buffers)
        try await context.store.setSiteState(Self.missingEntitiesKey, "")
        try await dropEntitiesBlockedFromAbove(merged: load.buffers, downloadedThrough: position)
        try await withLinkSlice { try await edge.skipLoad(slice: $0, lastSequence: position, logIncarnation: fetchedLog) }
    }

    /// Every entity this site holds, to register at the father.
    private func heldEntities() async throws -> [EntityRef] {
        let snapshot = try await context.store.snapshot()
        return snapshot.entities.map { EntityRef($0.entityClass, $0.techId) } + snapshot.headers.map { EntityRef($0.key.entityClass, $0.key.techId) }
    }
}

/// The father's log does not hold the position the son asked to resume from.
struct PositionUnknown: Error {
    var message: String
}
