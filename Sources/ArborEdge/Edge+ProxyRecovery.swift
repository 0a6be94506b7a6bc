import ArborCore

extension Edge {
    /// Loads the edge's slice from the site's cache server after a proxy with selective
    /// distribution refused a fetch with `TopicNotInProxySlice` (§8.3); the load makes the site
    /// receive the slice's topics.
    ///
    /// A PartialLoad keeps the fetch position (deltas not yet fetched are not skipped, repeated
    /// ones merge idempotently); a client whose registrations the site does not know gets a
    /// FullLoad instead.
    func reloadForProxy() async throws -> DeltaBatch {
        guard let slice else {
            throw EdgeError(code: .invalidUse, message: "fetch before a load: call fullLoad, syncLoad or skipLoad first")
        }
        do {
            return try await partialLoad(newSlice: slice)
        } catch let error as EdgeError where error.isNotRegistered {
            return try await fullLoad(slice: slice)
        }
    }
}
