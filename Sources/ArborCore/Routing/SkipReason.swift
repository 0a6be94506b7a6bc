/// Why the delta server does not send a delta to a client; kept for logs, metrics and tests.
public enum SkipReason: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The client's slice does not select the delta and the client is not registered on the entity.
    case notSelected
    /// The delta carries a topic the client's slice negates with `!T` (§2.1.3); registration does not help.
    case blockedByNegation
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
        case .notForUnregisteredClients: return "notForUnregisteredClients"
        case .alreadySynchronized: return "alreadySynchronized"
        case .awaitingFull: return "awaitingFull"
        case .notAddressed: return "notAddressed"
        case .purgeOnly: return "purgeOnly"
        }
    }
}
