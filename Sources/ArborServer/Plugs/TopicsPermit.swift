import ArborCore
import ArborStore

/// A reference `Permit` plug: per client id, the topics its slices may name and the topics of
/// the entities it may write (§5.6, issue 11 item 2).
///
/// A slice is permitted when every topic it mentions (negated ones too) is a read topic of the
/// client and it selects only entities carrying at least one of them (`east*!west`, not `!west`
/// or `TimeWindow3600` alone). A write is permitted when every topic of the entity — as stored now and as the write
/// leaves it — is a write topic of the client, and it has at least one. A client not listed,
/// or a request without a client id, is refused everything. Site topics (`#arbor.…`) are topics
/// like any other and must be listed to be read (appends never write them).
public struct TopicsPermit: Permit {
    /// Client id → the topics its slices may name.
    public let readTopics: [String: Set<String>]
    /// Client id → the topics of the entities it may create, change, delete or purge.
    public let writeTopics: [String: Set<String>]

    /// Each client reads and writes the same topics (a permits file without write rules).
    public init(_ allowed: [String: Set<String>]) {
        self.init(read: allowed, write: allowed)
    }

    /// Separate read and write topics; a client missing from `write` may write nothing.
    public init(read: [String: Set<String>], write: [String: Set<String>]) {
        readTopics = read
        writeTopics = write
    }

    public func permits(clientId: String?, slice: TopicsSlice) async -> Bool {
        permitsNow(clientId: clientId, slice: slice)
    }

    /// The same decision, synchronously (the rule itself needs no waiting).
    public func permitsNow(clientId: String?, slice: TopicsSlice) -> Bool {
        guard let clientId, let topics = readTopics[clientId] else { return false }
        // Naming only its topics is not enough: `!east` or `TimeWindow3600` alone name none
        // the client lacks but select entities with none of its topics. Such a slice selects an
        // entity with no topic at all (every topic false, time windows — never negated — true).
        return slice.mentionedTopics.isSubset(of: topics) && !slice.selectsInSteadyState(.empty)
    }

    public func writePermit(clientId: String) async -> any EntityWritePermit {
        TopicsWritePermit(clientId: clientId, topics: writeTopics[clientId])
    }
}

/// The write rule of one client of a ``TopicsPermit``.
public struct TopicsWritePermit: EntityWritePermit {
    public let clientId: String
    /// The topics it may write; nil when the permits file does not list the client.
    public let topics: Set<String>?

    public init(clientId: String, topics: Set<String>?) {
        self.clientId = clientId
        self.topics = topics
    }

    public func refusal(for entity: EntityKey, topics entityTopics: TopicsList, side: EntityWriteSide) -> String? {
        let refused = "client '\(clientId)' may not write \(entity)"
        guard let topics else {
            return "\(refused): the permits file does not list this client, so it may write nothing; ask the operator to add it with a \"write\" list"
        }
        let writable = topics.isEmpty ? "it may write no topic" : "its write topics: \(topics.sorted().joined(separator: ", "))"
        let state = side == .before ? "it is stored now with topics '\(entityTopics)'" : "the write would give it topics '\(entityTopics)'"
        if let topic = entityTopics.entries.first(where: { !topics.contains(Self.bare($0)) }) {
            let change = side == .before
                ? "leave this entity out of the append (nothing of the append was applied)"
                : "keep the entity's topics among its write topics (nothing of the append was applied)"
            return "\(refused): \(state), and topic '\(topic)' is not one this client may write (\(writable)); \(change), or ask the operator to add '\(topic)' to the client's \"write\" list in the permits file"
        }
        guard !entityTopics.isEmpty else {
            return "\(refused): \(state), and a client restricted by the permits file writes only entities with at least one of its write topics (\(writable)); give the entity one of them (nothing of the append was applied)"
        }
        return nil
    }

    /// `#X` counts as `X`, as for the delta server (stored entities carry no `#` topics).
    private static func bare(_ entry: String) -> String {
        entry.hasPrefix("#") ? String(entry.dropFirst()) : entry
    }
}
