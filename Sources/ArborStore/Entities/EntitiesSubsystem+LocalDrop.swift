import ArborCore

extension EntitiesSubsystem {
    /// Removes entities physically from this site only — no logical delete that would travel to
    /// the father — when each still has the update time the caller last saw (so a write that
    /// committed meanwhile is never lost). Used by a son that stops holding entities (DESIGN
    /// rule 1, §2.3); the DELETE it appends is for cache servers only (rule 8).
    ///
    /// - Parameters:
    ///   - expected: per entity, the update time it must still have.
    ///   - record: a site-state key; the entities removed are added to `known` and written
    ///     there in the same transaction (a son's unregistrations still to send its father).
    /// - Returns: the entities removed; the others changed (or are gone) and stay as they are.
    @discardableResult
    public func dropLocally(
        _ expected: [EntityKey: HybridTimestamp], recordingUnder record: String? = nil, known: PendingEntities = PendingEntities()
    ) async throws(StoreError) -> Set<EntityKey> {
        guard !expected.isEmpty else { return [] }
        let receipt = try await run(reading: Set(expected.keys)) { [clock] loaded in
            var plan = TransactionPlan<Set<EntityKey>>(result: [])
            let time = clock.tick(after: loaded.values.map(\.updateTime))
            for (key, updateTime) in expected.sorted(by: { $0.key.techId.byteOrder < $1.key.techId.byteOrder }) {
                guard let existing = loaded[key], existing.updateTime == updateTime else { continue }
                plan.purges.append(key)
                plan.deltas.append(Delta(
                    operation: .delete, entityClass: key.entityClass, techId: key.techId, updateTime: time,
                    topics: existing.topics, inCache: existing.inCache
                ))
                plan.result.insert(key)
            }
            if let record, !plan.result.isEmpty {
                var pending = known
                for key in plan.result { pending.insert(key, at: time) }
                plan.siteState[record] = pending.text
            }
            return plan
        }
        return receipt.result
    }
}
