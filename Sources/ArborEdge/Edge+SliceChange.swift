import ArborCore

/// What ``Edge/changeSlice(to:)`` did.
public struct SliceChangeResult: Sendable {
    /// The PartialLoad of the new slice: entities it adds, as create-deltas, to merge.
    public var added: DeltaBatch
    /// The entities the old slice selects and the new one does not, now unregistered at the
    /// server: delete them from the local database.
    public var left: [EntityRef]
}

extension Edge {
    /// Changes the subscription (§2.3) in one call: PartialLoad of `newSlice`, SelectMinus of the
    /// old slice against it, and UnregisterEntities of those at the load's sequence. Fetches go
    /// on with `newSlice` from the older position, so no delta not yet fetched is skipped.
    ///
    /// The caller merges `added.buffers` and deletes `left` locally. A client with local writes
    /// not yet sent to this server must send them before deleting.
    /// - Throws: `InvalidUse` before any load (there is no slice to change from), or what the
    ///   three requests throw; after a failure the edge may be on either slice: call again.
    public func changeSlice(to newSlice: String) async throws -> SliceChangeResult {
        guard let oldSlice = slice else {
            throw EdgeError(code: .invalidUse, message: "changeSlice needs a slice to change from: load first (FullLoad, SyncLoad or SkipLoad)")
        }
        let added = try await partialLoad(newSlice: newSlice)
        let left = try await selectMinus(oldSlice: oldSlice, newSlice: newSlice)
        if !left.isEmpty { try await unregisterEntities(left, sequence: added.sequence) }
        return SliceChangeResult(added: added, left: left)
    }
}
