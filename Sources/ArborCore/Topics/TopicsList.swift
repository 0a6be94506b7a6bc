/// An entity's topics list, written `",A1,A2,"` (§2.1.1.1).
///
/// Entries keep their order and may carry a leading `#` (site topics). The empty list is
/// written `","`; `""` is also accepted when parsing.
public struct TopicsList: Hashable, Sendable, CustomStringConvertible {
    /// The entries as written, `#` prefix included.
    public private(set) var entries: [String]

    /// The empty topics list.
    public static let empty = TopicsList(validated: [])

    /// Builds a list from entries, validating each (an entry may start with one `#`).
    public init(_ entries: [String]) throws(TopicsError) {
        for entry in entries {
            try Topic.validate(entry.hasPrefix("#") ? String(entry.dropFirst()) : entry)
        }
        self.entries = entries
    }

    init(validated entries: [String]) {
        self.entries = entries
    }

    /// Parses the `",A1,A2,"` form.
    public init(parsing text: String) throws(TopicsError) {
        if text.isEmpty || text == "," {
            self.init(validated: [])
            return
        }
        // Split on scalars: a combining mark after a comma would fuse with it as one Character.
        let scalars = text.unicodeScalars
        guard scalars.first == ",", scalars.last == ",", scalars.count >= 2 else { throw .missingDelimiters(text) }
        let inner = scalars.dropFirst().dropLast()
        try self.init(inner.split(separator: ",", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) })
    }

    /// The `",A1,A2,"` form (`","` when empty).
    public var formatted: String {
        entries.isEmpty ? "," : "," + entries.joined(separator: ",") + ","
    }

    public var description: String { formatted }

    public var isEmpty: Bool { entries.isEmpty }

    /// The topics as the delta server reads them: a `#` prefix is ignored.
    public var deltaServerTopics: Set<String> {
        Set(entries.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 })
    }

    /// The topics as the cache server reads them: `#` topics are ignored entirely.
    public var cacheServerTopics: Set<String> {
        Set(entries.filter { !$0.hasPrefix("#") })
    }

    /// The list without its `#` (site) topics: the application topics stored with an entity.
    public var applicationTopics: TopicsList {
        TopicsList(validated: entries.filter { !$0.hasPrefix("#") })
    }

    /// A copy with `prefix` entries placed first, skipping ones already present.
    public func prepending(_ prefix: [String]) -> TopicsList {
        let fresh = prefix.filter { !entries.contains($0) }
        return TopicsList(validated: fresh + entries)
    }

    /// Whether the list holds `topic` exactly as written.
    public func contains(_ topic: String) -> Bool { entries.contains(topic) }
}
