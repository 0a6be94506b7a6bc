import ArborCore
import ArborEdge
import ArborStore

/// The upload half: the son's own father-bound deltas go up (§2.6.1, DESIGN rule 9), also
/// those written while the father was away (the node/daemon "standalone update").
///
/// The father keeps the son's position; the son asks for it on connect and after any failure,
/// so nothing is lost or applied twice. While idle, asking is the heartbeat.
extension FatherLink {
    func runUpload(_ uploader: FatherUploader, edge: Edge) async {
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
                    await answered(answer)
                    position = answer.appliedThrough
                    lastAnswer = .now
                    try await checkOwnLog(reaches: answer.appliedThrough)
                    continue
                }
                let logBuffers = try await context.logTail.buffers(after: known, limit: settings.uploadBatchBuffers)
                guard let batch = try UploadBatch.make(from: logBuffers, schema: context.schema, maxBytes: settings.uploadBatchBytes) else {
                    let idle = ContinuousClock.now - lastAnswer
                    if idle >= settings.heartbeatInterval {
                        let answer = try await uploader.position()
                        await answered(answer)
                        position = answer.appliedThrough
                        lastAnswer = .now
                    } else {
                        _ = await context.logTail.waitForSequence(after: known, timeout: settings.heartbeatInterval - idle)
                    }
                    continue
                }
                let answer = try await uploader.upload(batch)
                count { $0.uploads += 1; $0.uploadedBuffers += batch.buffers.count }
                await answered(answer)
                await dropBlockedEntities(uploaded: batch, appliedThrough: answer.appliedThrough, edge: edge)
                position = answer.appliedThrough
                lastAnswer = .now
            } catch is CancellationError {
                return
            } catch {
                // A step cut short by shutdown is no failure to report.
                if Task.isCancelled { return }
                let failure = classify(error)
                log(failure, half: .upload)
                var refusal: String?
                var delay = settings.retryBackoff
                if case .refused(let code, let message) = failure {
                    refusal = "\(code): \(message)"
                    delay = settings.refusedRetryInterval
                }
                await note { $0.failed(.upload, refusal: refusal) }
                position = nil
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    private func answered(_ answer: FatherUploader.Answer) async {
        await note { $0.answered(.upload, at: .now, connectedToCenter: answer.connectedToCenter) }
        // Log trimming keeps what the father has not acknowledged (see LogTrimmer).
        let position = answer.appliedThrough
        guard state.withLock({ $0.recordedUpload != position }) else { return }
        do {
            try await context.store.setSiteState(Self.uploadedKey, String(position))
            state.withLock { $0.recordedUpload = position }
        } catch {
            logger.warning("father link: could not record the father's upload position \(position): \(error)")
        }
    }

    /// A father position beyond this site's log means the son's database was replaced: its
    /// new writes up to that position would be skipped by the father. Only an operator can tell.
    private func checkOwnLog(reaches fatherPosition: Int64) async throws {
        let last = max(context.logTail.lastSequence, try await context.store.lastSequence())
        guard fatherPosition > last else { return }
        logger.error("the father applied this site's log through \(fatherPosition), but the log ends at \(last): was this site's database replaced? Writes up to \(fatherPosition) are not uploaded")
    }
}
