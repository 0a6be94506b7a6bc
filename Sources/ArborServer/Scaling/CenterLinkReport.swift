/// The master process's view of the link to the father, as it records it for the site's other
/// processes (§8.1, §8.2): whether the site is connected to the center, and when the master
/// last wrote it (wall-clock µs). Kept in one site-state row, ``siteStateKey``.
public struct CenterLinkReport: Hashable, Sendable {
    /// The site-state key the master writes and the other processes read.
    public static let siteStateKey = "link.center.state"

    /// Whether the master's link reports the site connected to the center.
    public var connected: Bool
    /// When the master wrote this report; it changes with every write, so readers see the
    /// master is alive while it keeps refreshing.
    public var microseconds: Int64

    public init(connected: Bool, microseconds: Int64) {
        self.connected = connected
        self.microseconds = microseconds
    }

    /// The stored text: `connected <µs>` or `disconnected <µs>`.
    public var text: String { "\(connected ? "connected" : "disconnected") \(microseconds)" }

    /// Parses ``text``; nil for anything else (an unreadable row counts as no report).
    public init?(text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let microseconds = Int64(parts[1]) else { return nil }
        switch parts[0] {
        case "connected": connected = true
        case "disconnected": connected = false
        default: return nil
        }
        self.microseconds = microseconds
    }
}
