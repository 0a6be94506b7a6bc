/// Where a delta being merged into a site's entity came from; decides what the merge emits
/// (§2.6.1–§2.6.3).
public enum DeltaSource: Hashable, Sendable {
    /// The application's own write at this site.
    case local
    /// The site's father, over its registered edge.
    case father
    /// The son site whose client id is `clientId`.
    case son(clientId: String)
}
