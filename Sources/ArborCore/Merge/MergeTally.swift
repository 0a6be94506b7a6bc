/// What a merge has accepted and rejected so far, and the content of the PARTIAL it will emit.
struct MergeTally: Sendable {
    /// Accepted part names, in merge order.
    private(set) var accepted: [String] = []
    /// Rejected part names, in merge order.
    private(set) var rejected: [String] = []
    /// Accepted entity fields with their times.
    var partialFields: [String: TimedValue] = [:]
    /// The topics time when the topics write was accepted.
    var partialTopicsTime: HybridTimestamp?
    /// Accepted sub-entity changes, in the incoming delta's order.
    var partialSubEntities: [SubEntityDelta] = []

    /// Counts one part's decision; an already-had part counts neither way.
    mutating func record(_ decision: PartDecision, part: String) {
        switch decision {
        case .accept: accepted.append(part)
        case .reject: rejected.append(part)
        case .alreadyHave: break
        }
    }

    /// The outcome of merging into an existing entity.
    var outcome: MergeOutcome {
        switch (accepted.isEmpty, rejected.isEmpty) {
        case (false, true): return .accepted
        case (false, false): return .partlyAccepted
        case (true, false): return .rejected
        case (true, true): return .unchanged
        }
    }
}
