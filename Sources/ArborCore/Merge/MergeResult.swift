/// The decision of one merge: the outcome, the state to store and the deltas to append.
public struct MergeResult: Hashable, Sendable {
    /// What the merge did.
    public var outcome: MergeOutcome
    /// The entity after the merge: the local one unchanged when nothing was accepted, nil when
    /// there is no entity (``MergeOutcome/missingEntity``, or a REGISTER/DELETE for an absent one).
    public var state: EntityState?
    /// The deltas the site appends to its log, in order (§2.6.1–§2.6.3).
    public var deltas: [Delta]
    /// Names of the accepted parts, for logs: fields, `topics`, and sub-entity parts written
    /// `collection[techId]` or `collection[techId].field`.
    public var acceptedParts: [String]
    /// Names of the rejected parts, written as in ``acceptedParts``.
    public var rejectedParts: [String]
    /// Whether the site removes its copy physically (a DELETE from its father): ``state`` is nil.
    public var purges: Bool

    /// Creates a result; the part lists default to empty.
    public init(
        outcome: MergeOutcome, state: EntityState?, deltas: [Delta],
        acceptedParts: [String] = [], rejectedParts: [String] = [], purges: Bool = false
    ) {
        self.purges = purges
        self.outcome = outcome
        self.state = state
        self.deltas = deltas
        self.acceptedParts = acceptedParts
        self.rejectedParts = rejectedParts
    }
}
