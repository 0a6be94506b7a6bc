import ArborCore
import ArborEdge

/// Selective distribution to proxies (§8.3): a son site subscribes at its father only to its
/// fixed topics plus the topics its edges use. Every server process of the site must use the
/// same values.
public struct SelectiveDistributionSettings: Sendable, Hashable {
    /// Topics always received from the father, used by edges or not.
    public var fixedTopics: Set<String>
    /// How long a dynamic topic stays in the subscription after the last load or fetch at the
    /// site that used it.
    public var unusedTopicsLife: Duration
    /// The longest a load at the site waits for its topics to be received from the father
    /// before it fails with `Unavailable`.
    public var activationTimeout: Duration
    /// How often a load waiting for its topics looks whether they are received.
    public var activationPollInterval: Duration
    /// How long a server process trusts its copy of the received topics when serving fetches.
    public var receivedTopicsRefresh: Duration

    public init(
        fixedTopics: Set<String> = [], unusedTopicsLife: Duration = .seconds(600), activationTimeout: Duration = .seconds(20),
        activationPollInterval: Duration = .milliseconds(150), receivedTopicsRefresh: Duration = .milliseconds(250)
    ) {
        self.fixedTopics = fixedTopics
        self.unusedTopicsLife = unusedTopicsLife
        self.activationTimeout = activationTimeout
        self.activationPollInterval = activationPollInterval
        self.receivedTopicsRefresh = receivedTopicsRefresh
    }

    /// Throws `InvalidConfiguration` naming the first unusable setting.
    func validate() throws(EdgeError) {
        for topic in fixedTopics where topic.isEmpty || !topic.allSatisfy(Topic.isAllowed) || ProxySlice.isSiteTopic(topic) {
            throw EdgeError(code: .invalidConfiguration, message: "selective distribution: fixed topic '\(topic)' must be a topic (no * + ! ( ) , # or blanks, not starting with 'arbor.')")
        }
        guard unusedTopicsLife > .zero, activationTimeout > .zero, activationPollInterval > .zero, receivedTopicsRefresh >= .zero else {
            throw EdgeError(code: .invalidConfiguration, message: "selective distribution: unusedTopicsLife, activationTimeout and activationPollInterval must be positive")
        }
    }

    /// The life in µs, for the expiry rule.
    var lifeMicroseconds: Int64 {
        let (seconds, attoseconds) = unusedTopicsLife.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// How often fetches' topic uses are written: often enough for the expiry to see them,
    /// rarely enough not to write on every fetch.
    var useRecordInterval: Duration {
        min(.seconds(5), unusedTopicsLife / 4)
    }
}
