/// One client's registration on one entity (§2.1.3).
public enum RegistrationState: Hashable, Sendable, CaseIterable {
    /// The client is not known to hold the entity.
    case unregistered
    /// The entity is known to exist at the client, which may not yet hold its full state.
    case unsynchronized
    /// The client holds the full entity and receives partial deltas.
    case synchronized
}

/// How a delivered delta changes a client's registration on the entity.
public enum RegistrationChange: Hashable, Sendable {
    /// Register the client as unsynchronized when it is not registered at all.
    case registerIfUnregistered
    /// Register the client as unsynchronized, whatever its state (a rejected update from it).
    case desynchronize
    /// Register the client as synchronized.
    case synchronize
    /// Forget the client's registration.
    case unregister

    /// The state after applying this change to `state`.
    public func applied(to state: RegistrationState) -> RegistrationState {
        switch self {
        case .registerIfUnregistered: return state == .unregistered ? .unsynchronized : state
        case .desynchronize: return .unsynchronized
        case .synchronize: return .synchronized
        case .unregister: return .unregistered
        }
    }
}
