/// What the delta server does with one delta for one client.
public enum RoutingDecision: Hashable, Sendable, CustomStringConvertible {
    /// Send the delta. When the change is not nil, the client's registration on the entity
    /// changes — but only once the client acknowledges the delivery (DESIGN rule 3).
    case deliver(RegistrationChange?)
    /// Do not send the delta, for the given reason.
    case skip(SkipReason)

    /// Whether the delta is sent.
    public var isDelivered: Bool {
        if case .deliver = self { return true }
        return false
    }

    /// The registration change of a delivery; nil for a skip or a delivery without change.
    public var registrationChange: RegistrationChange? {
        if case .deliver(let change) = self { return change }
        return nil
    }

    /// `deliver`, `deliver(synchronize)` or `skip(reason)`, for logs and test failures.
    public var description: String {
        switch self {
        case .deliver(nil): return "deliver"
        case .deliver(let change?): return "deliver(\(change))"
        case .skip(let reason): return "skip(\(reason))"
        }
    }
}
