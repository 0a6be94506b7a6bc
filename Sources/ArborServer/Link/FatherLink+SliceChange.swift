import ArborCore
import ArborEdge
import ArborStore

/// A change of the son's configured `fatherSlice` (§2.3), carried out when the link starts with
/// a slice other than the one it last subscribed with (kept in site state next to the positions):
/// PartialLoad of what the new slice adds, the entities leaving it dropped here — only once this
/// site's writes to them are uploaded, so none is lost, and once the download has passed the
/// father position of that load (``DeferredDrop``) — and unregistered at the father.
extension FatherLink {
    /// How often a slice change looks whether the upload half caught up.
    static let uploadCatchUpPollInterval: Duration = .milliseconds(50)

    /// The link slice to record and compare; nil with selective distribution, whose
    /// subscription the link changes itself (§8.3).
    var configuredSlice: String? {
        context.settings.selectiveDistribution == nil ? settings.linkSlice : nil
    }

    /// Site state: the slice a change is under way to, set before its load and cleared once the
    /// change (or any load of the whole slice) is recorded.
    public static let sliceChangeStartedKey = "link.father.slice-change-started"

    /// Records the slice the link now subscribes with.
    func recordSubscribedSlice() async throws {
        guard let configuredSlice else { return }
        try await context.store.setSiteState(Self.subscribedSliceKey, configuredSlice)
        try await context.store.setSiteState(Self.sliceChangeStartedKey, "")
    }

    /// Changes the subscription from `oldSlice` (the edge resumed on it) to the configured one.
    /// Interrupted anywhere, it is done again at the next start: loads merge idempotently, and
    /// the slice is recorded only once the leaving entities are dropped.
    func changeSlice(_ edge: Edge, from oldSlice: String) async throws {
        guard let newSlice = configuredSlice else { return }
        let old = try TopicsSlice(parsing: oldSlice)
        let new = try TopicsSlice(parsing: newSlice)
        logger.notice("father link: the slice changed from \(oldSlice) to \(newSlice); loading what it adds")
        // SelectMinus on this site's own data: what it holds that only the old slice selects.
        let snapshot = try await context.store.snapshot()
        let leaving = snapshot.updateTimes { SliceChange.leaves($0, old: old, new: new) }
        // This site's writes to them go up first, so the load below is taken after the father
        // applied them and its position covers them (DeferredDrop).
        if !leaving.isEmpty { try await waitForUploads(through: snapshot.sequence) }
        // A PartialLoad skips what the father counts this site registered on: an unregistration
        // a stopped link did not send yet goes first, or an entity dropped here never comes back.
        try await sendPendingUnregistrations(edge: edge, fetchedThrough: edge.sequence)
        // The father registers this site on what a load sends as it sends it. A change stopped
        // after its load was sent and before it was applied left this site registered on
        // entities it lacks, which a PartialLoad skips as held: after such a stop the change
        // loads the whole new slice (a SyncLoad from time zero) instead.
        let started = try await context.store.siteState(Self.sliceChangeStartedKey) ?? ""
        let interrupted = !started.isEmpty
        try await context.store.setSiteState(Self.sliceChangeStartedKey, newSlice)
        // Fetches then go on with the new slice from the older position, so nothing is skipped
        // (from the SyncLoad's position after a stop: it brings every entity whole). A SyncLoad
        // starts the father's fetch session over: the registrations of the last answer this site
        // applied are committed first (fetchedThrough), or a REGISTER it brought (this site's own
        // write of an entity that then left the slice) is lost and the copy here goes stale.
        let load = interrupted
            ? try await edge.syncLoad(slice: newSlice, lastTransmissionTime: HybridTimestamp(microseconds: 0), fetchedThrough: edge.sequence)
            : try await edge.partialLoad(newSlice: newSlice)
        if interrupted { logger.notice("father link: an earlier change of the slice stopped before its load was applied; loaded the whole new slice") }
        for buffer in load.buffers {
            try await context.entities.apply(buffer, from: .father)
            count { $0.appliedBuffers += 1 }
        }
        try await keepRegistered(load.buffers)
        // Only those unchanged since the snapshot are dropped: a newer write waits to go up.
        deferDrop(DeferredDrop(
            expected: leaving, afterFatherSequence: load.sequence, stillLeaves: { !new.selectsInSteadyState($0) },
            reason: "the new slice \(newSlice) does not select",
            completesSliceChange: true
        ))
    }

    /// Waits until the father acknowledged this site's log through `sequence` (the upload half
    /// records each answer).
    private func waitForUploads(through sequence: Int64) async throws {
        while true {
            let uploaded = try await context.store.siteCounter(Self.uploadedKey) ?? 0
            if uploaded >= sequence { return }
            try await Task.sleep(for: Self.uploadCatchUpPollInterval)
        }
    }
}
