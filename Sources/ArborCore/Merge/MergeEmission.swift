/// The deltas a site appends after a merge, by source and outcome (§2.6.1–§2.6.3, DESIGN rules
/// 4–6). Every emitted delta carries the new state's update time.
struct MergeEmission {
    /// Where the merged delta came from.
    var source: DeltaSource
    /// The application topics before the merge (nil when the entity was absent).
    var oldTopics: TopicsList?
    /// The entity after the merge.
    var state: EntityState
    /// The accepted changes, for the PARTIAL.
    var tally: MergeTally

    /// The deltas to append for `outcome`.
    func deltas(for outcome: MergeOutcome) -> [Delta] {
        let app = state.topics.applicationTopics
        let changed = outcome == .accepted || outcome == .partlyAccepted
        switch source {
        case .local:
            if outcome == .created { return [state.delta(.create, topics: app.prepending([SiteTopics.father]), oldTopics: nil)] }
            guard changed else { return [] }
            return [partial(topics: app.prepending([SiteTopics.father])), full(oldTopics: oldTopics)]
        case .father:
            if outcome == .created { return [state.delta(.create, topics: app, oldTopics: nil)] }
            guard changed else { return [] }
            return [partial(topics: app), full(oldTopics: oldTopics)]
        case .son(let clientId):
            let upward = app.prepending([SiteTopics.father, SiteTopics.negation(son: clientId)])
            switch outcome {
            case .created:
                return [register(clientId, .synchronize), state.delta(.create, topics: upward, oldTopics: nil)]
            case .accepted:
                return [register(clientId, .registerIfUnregistered), partial(topics: upward), full(oldTopics: oldTopics)]
            case .partlyAccepted:
                return [register(clientId, .desynchronize), partial(topics: upward), full(oldTopics: oldTopics)]
            case .rejected:
                return [register(clientId, .desynchronize), full(oldTopics: nil)]
            case .unchanged, .missingEntity:
                return []
            }
        }
    }

    /// Only the accepted fields, topics and sub-entity changes, with their times.
    private func partial(topics: TopicsList) -> Delta {
        Delta(
            operation: .partial, entityClass: state.entityClass, techId: state.techId, updateTime: state.updateTime,
            topics: topics, oldTopics: oldTopics, topicsTime: tally.partialTopicsTime, inCache: state.inCache,
            fields: tally.partialFields, subEntities: tally.partialSubEntities
        )
    }

    private func full(oldTopics: TopicsList?) -> Delta {
        state.delta(.full, topics: state.topics.applicationTopics, oldTopics: oldTopics)
    }

    private func register(_ clientId: String, _ change: RegistrationChange) -> Delta {
        Delta.register(
            entityClass: state.entityClass, techId: state.techId, updateTime: state.updateTime,
            namingTopic: SiteTopics.naming(son: clientId), change: change
        )
    }
}
