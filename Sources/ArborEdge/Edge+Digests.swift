import ArborCore

/// Cache-server digests, for comparing two sites (`arbor verify`).
extension Edge {
    /// The digest of every live entity `slice` selects at the site (steady-state selection: time
    /// windows disregarded, logically deleted entities left out), ordered by class and tech-id,
    /// with the sequence of the snapshot they were computed from. Needs a client id the site
    /// knows; nothing about the edge's session (slice, sequence, registrations) changes.
    public func digests(slice: String) async throws -> DigestResponse {
        let request = try post(cachePath("digests"), DigestRequest(slice: slice))
        return try await perform(request).json(DigestResponse.self)
    }

    /// A targeted load: those of `entities` the site holds, whole (logically deleted ones
    /// included), as of one snapshot. Nothing about the edge's session changes.
    ///
    /// Without `registering` (`arbor verify --repair`) only those `slice` selects come and
    /// nothing is registered at the site. With `registering` (son sites only) every one the site
    /// holds comes and the edge's client becomes registered-synchronized on them
    /// (``EntityLoadRequest``).
    public func entityLoad(entities: [EntityRef], slice: String, registering: Bool = false) async throws -> DeltaBatch {
        let request = EntityLoadRequest(slice: slice, entities: entities, register: registering ? true : nil)
        let reply = try await perform(try post(cachePath("entity-load"), request, deltas: true))
        let decoded = try reply.deltaBuffers(schema: configuration.schema, requested: configuration.format)
        return DeltaBatch(buffers: decoded.buffers, sequence: decoded.sequence)
    }
}
