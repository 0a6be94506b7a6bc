/// Why the delta server does not send a delta to a client; kept for logs, metrics and tests.
public enum SkipReason: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The client's slice does not select the delta and the client is not registered on the entity.
    case notSelected
    /// The client is registered on an entity its slice does not select, and the delta carries
    /// an application topic the slice negates with `!T` (§2.1.3, rule 1): withheld, and the
    /// client becomes registered-unsynchronized on the entity (``RoutingDecision/withhold(_:)``).
    case blockedByNegation
    /// The client is registered on an entity its slice does not select, and the delta carries the
    /// son's own negation site topic (`arbor.notson.<id>`, rule 5): it came from that very son,
    /// which holds the change; nothing changes.
    case fromThisSon
    /// FULL and REGISTER are never sent to unregistered clients, which get CREATE/PARTIAL/UPDATE (§2.1.3.1).
    case notForUnregisteredClients
    /// A FULL to a client already synchronized on the entity: it got the PARTIAL before it (§2.6.1).
    case alreadySynchronized
    /// A PARTIAL or UPDATE to a registered client not synchronized on the entity: it cannot apply
    /// modified fields alone and waits for a FULL (§2.6.1).
    case awaitingFull
    /// A REGISTER whose naming topic is not this client's (§2.6.3).
    case notAddressed
    /// A DELETE (physical purge): only cache servers act on it and they read the log themselves (§2.5).
    case purgeOnly

    /// A short name for logs.
    public var description: String {
        switch self {
        case .notSelected: return "notSelected"
        case .blockedByNegation: return "blockedByNegation"
        case .fromThisSon: return "fromThisSon"
        case .notForUnregisteredClients: return "notForUnregisteredClients"
        case .alreadySynchronized: return "alreadySynchronized"
        case .awaitingFull: return "awaitingFull"
        case .notAddressed: return "notAddressed"
        case .purgeOnly: return "purgeOnly"
        }
    }
}
