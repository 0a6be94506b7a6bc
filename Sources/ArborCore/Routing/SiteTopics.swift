/// The topics that keep deltas from looping around the tree (§2.6, DESIGN rule 5).
///
/// They are written with a `#` prefix in topics lists, so the delta server routes on them
/// and the cache server ignores them. Slices name them without the `#`.
public enum SiteTopics {
    /// The father topic: the same constant in every site; deltas carrying it go to the father.
    public static let father = "#arbor.father"

    /// The naming topic of the son whose client id is `clientId` (deltas addressed to it).
    public static func naming(son clientId: String) -> String { "#arbor.son.\(clientId)" }

    /// The negation topic of the son `clientId`; its subscription always ends `*!arbor.notson.<id>`.
    public static func negation(son clientId: String) -> String { "#arbor.notson.\(clientId)" }

    /// The topic as a slice names it (without the `#`).
    public static func sliceName(_ siteTopic: String) -> String {
        siteTopic.hasPrefix("#") ? String(siteTopic.dropFirst()) : siteTopic
    }

    /// Whether a topic, as a slice names it, is a site topic: application topics may not start
    /// with `arbor.` (``LocalWrite/reservedTopicPrefixes``), so every `arbor.…` name is Arbor's.
    public static func isSiteTopic(_ sliceName: String) -> Bool {
        sliceName.hasPrefix("#") || sliceName.hasPrefix("arbor.")
    }
}
