/// What the delta server does with one delta for one client.
public enum RoutingDecision: Hashable, Sendable, CustomStringConvertible {
    /// Send the delta. When the change is not nil, the client's registration on the entity
    /// changes — but only once the client acknowledges the delivery (DESIGN rule 3).
    case deliver(RegistrationChange?)
    /// Do not send the delta, for the given reason.
    case skip(SkipReason)
    /// Do not send the delta (a `!T` of the slice blocks it, ``SkipReason/blockedByNegation``),
    /// but change the client's registration on the entity — once the client acknowledges the
    /// batch, like a delivery's change (DESIGN rules 1 and 3).
    case withhold(RegistrationChange)

    /// Whether the delta is sent.
    public var isDelivered: Bool {
        if case .deliver = self { return true }
        return false
    }

    /// The registration change of a delivery or a withholding; nil for a skip or a delivery
    /// without change.
    public var registrationChange: RegistrationChange? {
        switch self {
        case .deliver(let change): return change
        case .withhold(let change): return change
        case .skip: return nil
        }
    }

    /// `deliver`, `deliver(synchronize)` or `skip(reason)`, for logs and test failures.
    public var description: String {
        switch self {
        case .deliver(nil): return "deliver"
        case .deliver(let change?): return "deliver(\(change))"
        case .skip(let reason): return "skip(\(reason))"
        case .withhold(let change): return "withhold(\(change))"
        }
    }
}
