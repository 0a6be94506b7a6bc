/// The merge (conflict) rules: one incoming delta against a site's copy of the entity, as a pure
/// decision (DESIGN rules 4–8, §2.6).
///
/// Every part (each field, the `deleted` flag included, the topics, each sub-entity) is merged
/// on its own by last-writer-wins with a value tie-break, so concurrent writes of different
/// parts at two sites both survive and every site converges whatever the arrival order.
public enum EntityMerge {
    /// Merges `delta` from `source` into `local` (nil: the site does not hold the entity) and
    /// returns the outcome, the state to store and the deltas to append.
    public static func apply(_ delta: Delta, to local: EntityState?, from source: DeltaSource) -> MergeResult {
        switch delta.operation {
        case .register:
            // REGISTER only routes.
            return MergeResult(outcome: .unchanged, state: local, deltas: [])
        case .delete:
            return purge(delta, local: local, from: source)
        case .create, .full, .partial, .update:
            break
        }
        guard let local else { return create(from: delta, source: source) }

        var state = local
        var tally = MergeTally()
        tally.partialFields = LastWriterWins.mergeFields(delta.fields, into: &state.fields, prefix: "", tally: &tally)
        if let topicsTime = delta.topicsTime {
            let incoming = delta.topics.applicationTopics
            let decision = LastWriterWins.decide(incomingTime: topicsTime, localTime: local.topicsTime) {
                FieldValue.scalarOrder(incoming.formatted, local.topics.formatted)
            }
            tally.record(decision, part: "topics")
            if decision == .accept {
                state.topics = incoming
                state.topicsTime = topicsTime
                tally.partialTopicsTime = topicsTime
            }
        }
        SubEntityMerge.merge(delta.subEntities, deltaTime: delta.updateTime, into: &state.subEntities, tally: &tally)

        let outcome = tally.outcome
        let changed = outcome == .accepted || outcome == .partlyAccepted
        let stored = changed ? state : local
        let emission = MergeEmission(source: source, oldTopics: local.topics.applicationTopics, state: stored, tally: tally)
        return MergeResult(
            outcome: outcome, state: stored, deltas: emission.deltas(for: outcome),
            acceptedParts: tally.accepted, rejectedParts: tally.rejected
        )
    }

    /// A DELETE: the sender removed its copy physically (a purge, or a drop of what its slice no
    /// longer selects). From a son or locally it is a purge only cache servers act on (rule 8).
    /// From the father it removes this site's copy too: the father no longer holds the entity,
    /// so no change of it can reach this site again and a kept copy would go stale. The site
    /// logs its own DELETE, so its sons and cache servers follow in turn.
    private static func purge(_ delta: Delta, local: EntityState?, from source: DeltaSource) -> MergeResult {
        guard source == .father, let local else { return MergeResult(outcome: .unchanged, state: local, deltas: []) }
        let own = Delta(
            operation: .delete, entityClass: local.entityClass, techId: local.techId, updateTime: delta.updateTime,
            topics: local.topics, inCache: local.inCache
        )
        return MergeResult(outcome: .unchanged, state: nil, deltas: [own], purges: true)
    }

    /// An absent entity: a CREATE or FULL creates it; anything else must be fetched whole first.
    private static func create(from delta: Delta, source: DeltaSource) -> MergeResult {
        guard let created = EntityState(creating: delta) else {
            return MergeResult(outcome: .missingEntity, state: nil, deltas: [])
        }
        let emission = MergeEmission(source: source, oldTopics: nil, state: created, tally: MergeTally())
        let parts = created.fields.keys.sorted() + ["topics"]
            + created.subEntityDeltas.map { "\($0.collection)[\($0.techId.uuidString)]" }
        return MergeResult(outcome: .created, state: created, deltas: emission.deltas(for: .created), acceptedParts: parts)
    }
}
