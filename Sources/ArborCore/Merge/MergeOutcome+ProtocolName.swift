extension MergeOutcome {
    /// The outcome's name in append answers (`created`, `accepted`, …).
    public var protocolName: String {
        switch self {
        case .created: return "created"
        case .accepted: return "accepted"
        case .partlyAccepted: return "partlyAccepted"
        case .rejected: return "rejected"
        case .unchanged: return "unchanged"
        case .missingEntity: return "missingEntity"
        }
    }
}
