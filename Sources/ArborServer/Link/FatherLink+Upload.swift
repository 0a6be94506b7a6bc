import ArborCore
import ArborEdge
import ArborStore

/// The upload half: the son's own father-bound deltas go up (§2.6.1, DESIGN rule 9), also
/// those written while the father was away (the node/daemon "standalone update").
///
/// The father keeps the son's position; the son asks for it on connect and after any failure,
/// so nothing is lost or applied twice. While idle, asking is the heartbeat.
extension FatherLink {
    /// Returns ``HalvesEnd/rejoin`` when the father's position lies beyond this site's log.
    func runUpload(_ uploader: FatherUploader, edge: Edge) async -> HalvesEnd {
        var position: Int64?
        var lastAnswer = ContinuousClock.now
        while !Task.isCancelled {
            do {
                // Uploads begin after the first load, so the father registers the son's own
                // creates on top of the son's load, never before it.
                guard state.withLock({ $0.downloadReady }) else {
                    try await Task.sleep(for: min(settings.retryBackoff, .milliseconds(200)))
                    continue
                }
                guard let known = position else {
                    let answer = try await uploader.position()
                    // Before the answer is recorded: log trimming must not take the father's
                    // position of an older history as acknowledged.
                    if try await ownLogIsBehind(answer.appliedThrough) { return .rejoin }
                    try await noteFatherWentBack(to: answer.appliedThrough, from: try await context.store.siteCounter(Self.uploadedKey))
                    await answered(answer)
                    position = answer.appliedThrough
                    lastAnswer = .now
                    continue
                }
                let logBuffers = try await context.logTail.buffers(after: known, limit: settings.uploadBatchBuffers)
                guard let batch = try UploadBatch.make(from: logBuffers, schema: context.schema, maxBytes: settings.uploadBatchBytes) else {
                    let idle = ContinuousClock.now - lastAnswer
                    if idle >= settings.heartbeatInterval {
                        let answer = try await uploader.position()
                        try await noteFatherWentBack(to: answer.appliedThrough, from: known)
                        await answered(answer)
                        position = answer.appliedThrough
                        lastAnswer = .now
                    } else {
                        _ = await context.logTail.waitForSequence(after: known, timeout: settings.heartbeatInterval - idle)
                    }
                    continue
                }
                let answer = try await uploader.upload(batch, after: known)
                if answer.appliedThrough < known { try await noteFatherWentBack(to: answer.appliedThrough, from: known) }
                count { $0.uploads += 1; $0.uploadedBuffers += batch.buffers.count }
                await answered(answer)
                await dropBlockedEntities(uploaded: batch, appliedThrough: answer.appliedThrough, fatherSequence: answer.fatherSequence)
                position = answer.appliedThrough
                lastAnswer = .now
            } catch is CancellationError {
                return .stopped
            } catch {
                // A step cut short by shutdown is no failure to report.
                if Task.isCancelled { return .stopped }
                let failure = classify(error)
                log(failure, half: .upload)
                var refusal: String?
                var delay = settings.retryBackoff
                if case .refused(let code, let message) = failure {
                    refusal = "\(code): \(message)"
                    delay = settings.refusedRetryInterval
                }
                if case .disabled(let message) = failure {
                    refusal = "ClientDisabled: \(message)"
                    delay = settings.disabledRetryInterval
                }
                await note { $0.failed(.upload, refusal: refusal) }
                position = nil
                do { try await retryWake.sleep(for: delay) } catch { return .stopped }
            }
        }
        return .stopped
    }

    private func answered(_ answer: FatherUploader.Answer) async {
        state.withLock { $0.lastAnswerMicroseconds = EntitiesSubsystem.systemMicroseconds() }
        await note { $0.answered(.upload, at: .now, connectedToCenter: answer.connectedToCenter) }
        // Log trimming keeps what the father has not acknowledged (see LogTrimmer).
        if let fatherSequence = answer.fatherSequence {
            state.withLock { $0.uploadFatherSequence = max($0.uploadFatherSequence ?? 0, fatherSequence) }
        }
        let position = answer.appliedThrough
        guard state.withLock({ $0.recordedUpload != position }) else { return }
        do {
            try await context.store.setSiteCounter(Self.uploadedKey, position)
            state.withLock { $0.recordedUpload = position }
        } catch {
            logger.warning("father link: could not record the father's upload position \(position): \(error)")
        }
    }

    /// The father's position for this site is below what it acknowledged before (`acknowledged`):
    /// it was restored from an older backup. The upload goes on from its position, so what it
    /// lost goes up again; what this site's log no longer holds (trimmed after the father had
    /// acknowledged it) cannot, and is reported as an error naming the sequences.
    private func noteFatherWentBack(to fatherPosition: Int64, from acknowledged: Int64?) async throws {
        guard let acknowledged, fatherPosition < acknowledged else { return }
        let first = try await context.logTail.buffers(after: fatherPosition, limit: 1).first?.sequence
        guard let first, first > fatherPosition + 1 else {
            logger.warning("the father's position for this site's log went back from \(acknowledged) to \(fatherPosition) (it was restored from an older backup?); uploading again from \(fatherPosition)")
            return
        }
        let message = "the father's position for this site's log went back from \(acknowledged) to \(fatherPosition) (it was restored from an older backup?), but this site trimmed its log through \(first - 1): the writes of sequences \(fatherPosition + 1)...\(first - 1) cannot be uploaded again and are missing at the father unless later writes changed the same fields; `arbor verify` against the father shows the entities that differ"
        context.activity.recordError(source: "father link upload", code: "UploadsLost", message: message, atMicroseconds: EntitiesSubsystem.systemMicroseconds())
        logger.error("\(message)")
    }

    /// A father position beyond this site's log means this database is an older copy of the
    /// same incarnation (restored without `arbor backup` or `arbor init --restored`): its new
    /// writes would get sequences the father counts as applied, and what it lost would never
    /// come back down. It is marked for a re-join, and the link starts again as a new
    /// incarnation (``SiteIncarnation/rejoinIfPending(in:uploadedCounter:)``).
    private func ownLogIsBehind(_ fatherPosition: Int64) async throws -> Bool {
        let last = max(context.logTail.lastSequence, try await context.store.lastSequence())
        guard fatherPosition > last else { return false }
        logger.warning("the father applied this site's log through \(fatherPosition), but the log ends at \(last): this database is an older copy; re-joining the father as a new incarnation")
        try await SiteIncarnation.markRestored(context.store)
        return true
    }
}
