import ArborCore

/// Cache-server digests, for comparing two sites (`arbor verify`).
extension Edge {
    /// The digest of every entity `slice` selects at the site (steady-state selection: time
    /// windows disregarded, logically deleted entities included), ordered by class and tech-id,
    /// with the sequence of the snapshot they were computed from. Needs a client id the site
    /// knows; nothing about the edge's session (slice, sequence, registrations) changes.
    public func digests(slice: String) async throws -> DigestResponse {
        let request = try post(cachePath("digests"), DigestRequest(slice: slice))
        return try await perform(request).json(DigestResponse.self)
    }
}
