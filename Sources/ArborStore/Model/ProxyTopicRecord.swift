/// One dynamic topic of a proxy site's subscription at its father (selective distribution, §8.3).
///
/// Every server process of the site records the topics its edges use; only the process that
/// runs the father link activates them (after loading them from the father) and removes them
/// when they expire, so the state lives in the database, not in one process.
public struct ProxyTopicRecord: Hashable, Sendable {
    /// The application topic, as slices name it.
    public var topic: String
    /// When a load or fetch at the site last used the topic, in µs since 1970.
    public var lastUsedMicroseconds: Int64
    /// Whether the site receives the topic from its father; false while only requested.
    public var isActive: Bool

    public init(topic: String, lastUsedMicroseconds: Int64, isActive: Bool) {
        self.topic = topic
        self.lastUsedMicroseconds = lastUsedMicroseconds
        self.isActive = isActive
    }
}
