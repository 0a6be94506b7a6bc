/// The rules of selective distribution to proxies (§8.3), without I/O.
///
/// A proxy site with selective distribution subscribes at its father only to its fixed topics
/// plus the dynamic topics its edges use. An edge's slice may be served by the proxy's delta
/// server only when every application topic the slice names is in that subscription; a load
/// from the proxy's cache server adds the slice's topics first.
public enum ProxySlice {
    /// The topic a proxy subscribes with when it has no fixed and no dynamic topics. It is a
    /// site topic (`#arbor.nothing` in topics lists) that Arbor never writes, so the slice
    /// selects nothing while staying a valid slice with the usual loop-prevention suffix.
    public static let nothingTopic = "arbor.nothing"

    /// Whether a topic, as a slice names it, is one of Arbor's site topics (`arbor.father`,
    /// `arbor.son.<id>`, `arbor.notson.<id>`, ``nothingTopic``) rather than an application topic.
    public static func isSiteTopic(_ name: String) -> Bool {
        name.hasPrefix("arbor.")
    }

    /// The application topics `slice` uses: every topic it names, negated or not; time windows
    /// and site topics are not topics a proxy subscribes to.
    public static func topicsUsed(by slice: TopicsSlice) -> Set<String> {
        slice.mentionedTopics.filter { !isSiteTopic($0) }
    }

    /// The topics of `slice` the proxy does not receive, given what it receives (`received`:
    /// fixed and active dynamic topics). Empty when the proxy's delta server may serve the slice.
    public static func missingTopics(of slice: TopicsSlice, received: Set<String>) -> Set<String> {
        topicsUsed(by: slice).subtracting(received)
    }

    /// The proxy's subscription at its father (before the link adds its loop-prevention
    /// negation): the fixed and dynamic topics in a stable order, or ``nothingTopic`` when both
    /// are empty.
    public static func subscription(fixed: Set<String>, dynamic: Set<String>) -> String {
        let topics = fixed.union(dynamic).sorted()
        return topics.isEmpty ? nothingTopic : topics.joined(separator: "+")
    }

    /// The dynamic topics that expire at `now`: not fixed, and last used (µs) longer than
    /// `lifeMicroseconds` ago.
    public static func expiredTopics(lastUsed: [String: Int64], fixed: Set<String>, now: Int64, lifeMicroseconds: Int64) -> Set<String> {
        Set(lastUsed.lazy.filter { !fixed.contains($0.key) && now - $0.value > lifeMicroseconds }.map(\.key))
    }

    /// The µs time before which a dynamic topic's last use makes it expire at `now`.
    public static func expiryCutoff(now: Int64, lifeMicroseconds: Int64) -> Int64 {
        now - lifeMicroseconds
    }
}
