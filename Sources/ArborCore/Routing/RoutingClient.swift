/// A client of the delta server as routing sees it: its subscription and whether it is registered.
///
/// Built once per client session, so the slice's negated topics are computed once and not for
/// every delta.
public struct RoutingClient: Hashable, Sendable {
    /// Whether the server keeps registrations for the client.
    public enum Kind: Hashable, Sendable {
        /// An unregistered edge (a father reading a son's log, or `useRegistration = false`):
        /// assumed synchronized on everything its slice selects (§2.1.3.1).
        case unregistered
        /// A registered edge, identified by its bit in the registration masks.
        case registered(ClientBit)
    }

    /// The client's subscription.
    public let slice: TopicsSlice
    /// Registered or not.
    public let kind: Kind
    /// For a registered son site: its naming topic in slice form (`arbor.son.b1`), which
    /// addresses REGISTER deltas to it (§2.6.3). Nil for other clients.
    public let namingTopic: String?
    /// The topics the slice negates with `!T`: they withhold deltas the client would get only
    /// because it is registered on an entity its slice does not select (§2.1.3, rule 1).
    public let negatedTopics: Set<String>

    /// A client reading with an unregistered edge.
    public static func unregistered(slice: TopicsSlice) -> RoutingClient {
        RoutingClient(slice: slice, kind: .unregistered, namingTopic: nil)
    }

    /// A registered client; `namingTopic` is given for son sites, with or without its `#`.
    public static func registered(_ bit: ClientBit, slice: TopicsSlice, namingTopic: String? = nil) -> RoutingClient {
        RoutingClient(slice: slice, kind: .registered(bit), namingTopic: namingTopic)
    }

    /// Builds a client. A naming topic written as in a topics list (`#arbor.son.b1`) is stored
    /// without its `#`, the form the delta server compares with.
    public init(slice: TopicsSlice, kind: Kind, namingTopic: String?) {
        self.slice = slice
        self.kind = kind
        self.namingTopic = namingTopic.map(SiteTopics.sliceName)
        self.negatedTopics = slice.negatedTopics
    }

    /// The client's registration bit, or nil for an unregistered client.
    public var bit: ClientBit? {
        if case .registered(let bit) = kind { return bit }
        return nil
    }

    /// Whether the client is registered.
    public var isRegistered: Bool { bit != nil }

    /// Whether the client is a son site (it has a naming topic).
    public var isSon: Bool { namingTopic != nil }
}
