extension TopicsSlice {
    /// The negated topics that are application topics, not loop-prevention site topics
    /// (`arbor.notson.<id>` and the like, ``SiteTopics/isSiteTopic(_:)``).
    public var negatedApplicationTopics: Set<String> {
        negatedTopics.filter { !SiteTopics.isSiteTopic($0) }
    }

    /// Whether a client registered on an entity with `topics` must let it go (DESIGN rule 1):
    /// the slice does not select it and it carries one of the slice's negated application
    /// topics, so the delta server withholds its changes. A son drops such an entity locally
    /// and unregisters it at its father; negated site topics never count.
    public func dropsRegistered(_ topics: TopicsList) -> Bool {
        guard !selectsInSteadyState(topics) else { return false }
        return !negatedApplicationTopics.isDisjoint(with: topics.deltaServerTopics)
    }
}
