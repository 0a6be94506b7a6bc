import ArborCore
import Foundation

/// Cache-server services: loads and select-minus (§2.2–§2.5).
extension Edge {
    /// FullLoad (§2.2): every entity of `slice` as create-deltas. The edge then fetches with
    /// `slice` from the load's sequence.
    public func fullLoad(slice: String) async throws -> DeltaBatch {
        let (load, log) = try await load(cachePath("full-load"), LoadRequest(slice: slice))
        state.withLock { $0.loaded(slice: slice, sequence: load.sequence, logIncarnation: log) }
        return load
    }

    /// PartialLoad (§2.3): the entities `newSlice` selects that the client is not registered on.
    /// The edge fetches with `newSlice` from then on, without skipping deltas not yet fetched.
    public func partialLoad(newSlice: String) async throws -> DeltaBatch {
        let (load, log) = try await load(cachePath("partial-load"), LoadRequest(slice: newSlice))
        state.withLock { $0.partiallyLoaded(newSlice: newSlice, sequence: load.sequence, logIncarnation: log) }
        return load
    }

    /// SelectMinus (§2.3): entities `oldSlice` selects and `newSlice` does not; ask the local
    /// site's cache server, then delete them locally and unregister them at the remote site.
    public func selectMinus(oldSlice: String, newSlice: String) async throws -> [EntityRef] {
        let request = try post(cachePath("select-minus"), SelectMinusRequest(oldSlice: oldSlice, newSlice: newSlice))
        return try await perform(request).json(EntityListResponse.self).entities
    }

    /// SyncLoad without registration (§2.4): entities of `slice` (or registered) changed after
    /// `lastTransmissionTime`. Throws `NotRegistered` when the server does not know the client's
    /// registrations; then register, or use the registering overload.
    ///
    /// With `fetchedThrough`, the caller holds every fetched answer through that sequence: the
    /// registrations its last answer brought are committed before the load starts the site's
    /// fetch session over (a son must pass it, or a REGISTER of that answer is lost).
    public func syncLoad(slice: String, lastTransmissionTime: HybridTimestamp, fetchedThrough: Int64? = nil) async throws -> DeltaBatch {
        try await syncLoad(SyncLoadRequest(slice: slice, lastTransmissionTime: lastTransmissionTime.microseconds, fetchedThrough: fetchedThrough))
    }

    /// SyncLoad with registration (§2.4): registers `entities` first, then loads like
    /// ``syncLoad(slice:lastTransmissionTime:)``. With `fetchedThrough`, the caller holds every
    /// fetched answer through that sequence, and the registrations its last answer brought are
    /// committed first (a load otherwise starts the fetch session over without them).
    public func syncLoad(
        entities: [EntityRef], slice: String, lastTransmissionTime: HybridTimestamp, fetchedThrough: Int64? = nil
    ) async throws -> DeltaBatch {
        try await syncLoad(SyncLoadRequest(
            slice: slice, lastTransmissionTime: lastTransmissionTime.microseconds, entities: entities, fetchedThrough: fetchedThrough))
    }

    /// SkipLoad (§2.5): a rebooted client resumes at `lastSequence` with `slice`; returns the
    /// sequence the next fetch continues from. `logIncarnation` is the ``logIncarnation`` kept
    /// with `lastSequence`: a site whose log is another one now (restored from a backup)
    /// refuses with `LogReplaced`, and the client must reload (a registering sync-load).
    @discardableResult
    public func skipLoad(slice: String, lastSequence: Int64, logIncarnation: UUID? = nil) async throws -> Int64 {
        let request = try post(cachePath("skip-load"), SkipLoadRequest(slice: slice, lastSequence: lastSequence, logIncarnation: logIncarnation))
        let reply = try await perform(request)
        let sequence = try reply.json(SequenceResponse.self).sequence
        state.withLock { $0.loaded(slice: slice, sequence: sequence, logIncarnation: reply.logIncarnation ?? logIncarnation) }
        return sequence
    }

    private func syncLoad(_ body: SyncLoadRequest) async throws -> DeltaBatch {
        let (load, log) = try await load(cachePath("sync-load"), body)
        state.withLock { $0.loaded(slice: body.slice, sequence: load.sequence, logIncarnation: log) }
        return load
    }

    /// A load's answer and the site log its sequence belongs to.
    private func load(_ path: String, _ body: some Encodable) async throws -> (DeltaBatch, UUID?) {
        let reply = try await perform(try post(path, body, deltas: true))
        let decoded = try reply.deltaBuffers(schema: configuration.schema, requested: configuration.format, maximumBufferBytes: configuration.maximumBufferBytes)
        return (DeltaBatch(buffers: decoded.buffers, sequence: decoded.sequence), reply.logIncarnation)
    }
}
