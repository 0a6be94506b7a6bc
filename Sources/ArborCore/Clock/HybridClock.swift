/// The site's clock as a value: the caller reads the wall clock and passes it in.
///
/// Every `tick` is strictly greater than the previous one and than every time `observe`d,
/// so a site with a slow wall clock still orders its writes after what it has seen. The clock
/// never runs more than ``maximumAheadMicroseconds`` ahead of the wall clock: a time observed
/// beyond that is taken only up to the bound, so one far-future time (issue 10 item 8) cannot
/// drag every later write towards the end of the range, and the clock never saturates.
public struct HybridClock: Sendable {
    /// The default bound on how far a received time may be ahead of the receiver's wall clock:
    /// five minutes, well above the skew of clocks kept by NTP.
    public static let defaultMaximumAheadMicroseconds: Int64 = 300_000_000

    /// The last time handed out or observed.
    public private(set) var last: HybridTimestamp
    /// How far ahead of the wall clock an observed time may move the clock.
    public let maximumAheadMicroseconds: Int64

    public init(last: HybridTimestamp = .zero, maximumAheadMicroseconds: Int64 = defaultMaximumAheadMicroseconds) {
        self.last = last
        self.maximumAheadMicroseconds = max(0, maximumAheadMicroseconds)
    }

    /// A new time for a local write, given the wall clock now (microseconds since 1970).
    ///
    /// The time is the wall clock or one past the last time, whichever is later. Without
    /// wrapping: `last` can be at the end of the range only when the wall clock itself is, and
    /// then the wall clock is used.
    public mutating func tick(wallMicroseconds: Int64) -> HybridTimestamp {
        let (bumped, overflow) = last.microseconds.addingReportingOverflow(1)
        let next = overflow ? wallMicroseconds : max(wallMicroseconds, bumped)
        last = HybridTimestamp(microseconds: next)
        return last
    }

    /// Records a time seen elsewhere (another site, a stored entity) so later ticks come after
    /// it, taking it at most up to ``ceiling(wallMicroseconds:)``.
    public mutating func observe(_ received: HybridTimestamp, wallMicroseconds: Int64) {
        let bounded = min(received, ceiling(wallMicroseconds: wallMicroseconds))
        if bounded > last { last = bounded }
    }

    /// The latest time this clock admits now: the wall clock plus the allowed skew (saturating).
    public func ceiling(wallMicroseconds: Int64) -> HybridTimestamp {
        let (sum, overflow) = wallMicroseconds.addingReportingOverflow(maximumAheadMicroseconds)
        return HybridTimestamp(microseconds: overflow ? .max : sum)
    }

    /// Whether `received` is within the allowed skew of the wall clock now.
    public func admits(_ received: HybridTimestamp, wallMicroseconds: Int64) -> Bool {
        received <= ceiling(wallMicroseconds: wallMicroseconds)
    }
}
