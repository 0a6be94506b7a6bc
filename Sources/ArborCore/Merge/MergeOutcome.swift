/// What merging one delta into a site's entity did (§2.6.2, §2.6.3).
public enum MergeOutcome: Hashable, Sendable, CaseIterable {
    /// The entity was absent and the CREATE or FULL delta created it.
    case created
    /// At least one part was accepted and none rejected.
    case accepted
    /// At least one part was accepted and at least one rejected.
    case partlyAccepted
    /// Nothing was accepted and at least one part was rejected (the local writes are newer).
    case rejected
    /// Nothing was accepted or rejected: the site already had it all, or the delta is not merged
    /// (REGISTER is routing only, DELETE a local purge).
    case unchanged
    /// The entity is absent and the delta (PARTIAL or UPDATE) does not carry it whole: the caller
    /// must fetch the whole entity; nothing was stored or emitted.
    case missingEntity
}
