import ArborCore

/// A reference `Permit` plug: per client id, the topics its slices may name. A slice is
/// permitted when every topic it mentions (negated ones too) is in the client's set; a client
/// not listed, or a request without a client id, is refused everything. Site topics
/// (`#arbor.…`) are topics like any other and must be listed to be used.
public struct TopicsPermit: Permit {
    /// Client id → the topics it may name.
    public let allowed: [String: Set<String>]

    public init(_ allowed: [String: Set<String>]) {
        self.allowed = allowed
    }

    public func permits(clientId: String?, slice: TopicsSlice) async -> Bool {
        permitsNow(clientId: clientId, slice: slice)
    }

    /// The same decision, synchronously (the rule itself needs no waiting).
    public func permitsNow(clientId: String?, slice: TopicsSlice) -> Bool {
        guard let clientId, let topics = allowed[clientId] else { return false }
        return slice.mentionedTopics.isSubset(of: topics)
    }
}
