/// Decides which wrong-secret failures are written to the log (issue 11 item 4): at most one
/// line per client and peer per interval, carrying how many failures it stands for, so a flood
/// cannot fill the disk or drown other lines.
///
/// Pure: the caller passes the time and writes the line when told to.
public struct FailureLogThrottle: Sendable {
    /// The answer to ``failed(client:peer:at:)``.
    public enum Action: Equatable, Sendable {
        /// Write one warning standing for `failures` failures (this one and those suppressed
        /// since the last line for the same client and peer).
        case log(failures: Int)
        /// Write nothing; the count is carried to the next line.
        case suppress
    }

    struct Entry: Sendable {
        var loggedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    struct Key: Hashable, Sendable {
        var client: String
        var peer: String?
    }

    /// The shortest time between two lines for the same client and peer.
    public let interval: Duration
    /// The most pairs remembered; beyond it the one logged longest ago is forgotten (its next
    /// failure is logged at once).
    public let maximumKeys: Int
    private var entries: [Key: Entry] = [:]

    public init(interval: Duration = .seconds(60), maximumKeys: Int = 10_000) {
        self.interval = interval
        self.maximumKeys = max(1, maximumKeys)
    }

    /// How many client and peer pairs are remembered.
    public var trackedKeys: Int { entries.count }

    /// Event: a wrong secret for `client` from `peer`.
    public mutating func failed(client: String, peer: String?, at now: ContinuousClock.Instant) -> Action {
        let key = Key(client: client, peer: peer)
        if var entry = entries[key], now - entry.loggedAt < interval {
            entry.suppressed += 1
            entries[key] = entry
            return .suppress
        }
        let failures = (entries[key]?.suppressed ?? 0) + 1
        if entries[key] == nil, entries.count >= maximumKeys,
           let oldest = entries.min(by: { $0.value.loggedAt < $1.value.loggedAt })?.key {
            entries[oldest] = nil
        }
        entries[key] = Entry(loggedAt: now, suppressed: 0)
        return .log(failures: failures)
    }
}
