/// Names of the site's integer state (`site_counters`): link positions, the last transmission
/// time and the mask of known registration bits. They were text in `site_state` before; an
/// install moves such values over (``isLegacySiteStateKey(_:)``).
public enum SiteCounter {
    /// The mask (a `UInt64` stored as its bit pattern) of client bits whose registrations the
    /// site holds; changed only with ``SiteStore/updateSiteCounterBits(_:setting:clearing:)``.
    public static let knownRegistrationBits = "registrations.known-bits"
    /// 1 while a restored copy of the database waits to re-join its father as a new
    /// incarnation (set in every copy `arbor backup` makes, and by `arbor init --restored`).
    public static let rejoinPending = "site.rejoin-pending"

    /// Whether a `site_state` key written by an older Arbor holds what is now a counter of the
    /// same name: the known-registration mask and every `link.…` position.
    public static func isLegacySiteStateKey(_ key: String) -> Bool {
        key == knownRegistrationBits || key.hasPrefix("link.")
    }

    /// The counter value of a legacy text value (`UInt64` masks keep their bit pattern); nil
    /// for text that is no integer.
    public static func legacyValue(_ text: String) -> Int64? {
        if let value = Int64(text) { return value }
        return UInt64(text).map { Int64(bitPattern: $0) }
    }
}
