import ArborCore

extension EntitiesSubsystem {
    /// Sends entities up again as this site holds them: each gets a father-bound PARTIAL (a
    /// CREATE when `absentAbove`) carrying every part with its own write time, so the father
    /// merges, part by part, exactly what it lacks or holds older — nothing is re-stamped, and
    /// a newer write anywhere still wins. Nothing is stored here. A son calls it after its father
    /// was restored from an older backup (``DeltaSource/father``'s copy lost writes this site
    /// holds: the father's own, or other sons' that it had routed here).
    ///
    /// - Parameters:
    ///   - newer: entities whose copy here has parts newer than the father's.
    ///   - absentAbove: entities the father no longer holds at all.
    /// - Returns: how many entities went into the log.
    @discardableResult
    public func republish(newer: Set<EntityKey>, absentAbove: Set<EntityKey>) async throws(StoreError) -> Int {
        let ordered = newer.union(absentAbove).sorted { ($0.entityClass, $0.techId.uuidString) < ($1.entityClass, $1.techId.uuidString) }
        var sent = 0
        // Bounded transactions: one log buffer must stay within the transaction size limit.
        for start in stride(from: 0, to: ordered.count, by: Self.republishChunk) {
            let chunk = Array(ordered[start..<min(start + Self.republishChunk, ordered.count)])
            let receipt = try await run(reading: Set(chunk)) { loaded in
                var plan = TransactionPlan<Int>(result: 0)
                for key in chunk {
                    guard let state = loaded[key] else { continue }
                    let upward = state.topics.applicationTopics.prepending([SiteTopics.father])
                    plan.deltas.append(state.delta(absentAbove.contains(key) ? .create : .partial, topics: upward, oldTopics: nil))
                    plan.result += 1
                }
                return plan
            }
            sent += receipt.result
        }
        return sent
    }

    /// Entities per republishing transaction.
    static let republishChunk = 200
}
