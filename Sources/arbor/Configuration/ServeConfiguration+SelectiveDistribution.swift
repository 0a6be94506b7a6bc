import ArborCore
import ArborServer

extension ServeConfiguration {
    /// The selective-distribution settings (§8.3), nil when it is off; throws naming the
    /// setting that does not fit.
    func validatedSelectiveDistribution() throws(ServeConfigurationError) -> SelectiveDistributionSettings? {
        guard selectiveDistribution else { return nil }
        guard site != "center" else {
            throw ServeConfigurationError("selectiveDistribution: only a proxy site (site other than center) may use selective distribution")
        }
        guard !fatherServers.isEmpty else {
            throw ServeConfigurationError("selectiveDistribution: a proxy site needs fatherServers (and fatherClientId) to receive its topics from")
        }
        guard fatherSlice == nil else {
            throw ServeConfigurationError(
                "fatherSlice: not used with selectiveDistribution (the subscription is fixedTopics plus the topics this site's edges use); remove fatherSlice or turn selectiveDistribution off"
            )
        }
        for topic in fixedTopics where !topic.allSatisfy(Topic.isAllowed) || ProxySlice.isSiteTopic(topic) {
            throw ServeConfigurationError("fixedTopics: '\(topic)' is not a topic (no * + ! ( ) , # or blanks, and not starting with 'arbor.')")
        }
        guard unusedTopicsLifeMinutes.isFinite, unusedTopicsLifeMinutes > 0, unusedTopicsLifeMinutes <= 1_000_000 else {
            throw ServeConfigurationError("unusedTopicsLifeMinutes must be a positive number of minutes, got \(unusedTopicsLifeMinutes)")
        }
        let life = Duration.microseconds(Int64((unusedTopicsLifeMinutes * 60_000_000).rounded()))
        return SelectiveDistributionSettings(fixedTopics: Set(fixedTopics), unusedTopicsLife: life)
    }
}
