/// The site's clock as a value: the caller reads the wall clock and passes it in.
///
/// Every `tick` is strictly greater than the previous one and than every time `observe`d,
/// so a site with a slow wall clock still orders its writes after what it has seen.
public struct HybridClock: Sendable {
    /// The last time handed out or observed.
    public private(set) var last: HybridTimestamp

    public init(last: HybridTimestamp = .zero) {
        self.last = last
    }

    /// A new time for a local write, given the wall clock now (microseconds since 1970).
    public mutating func tick(wallMicroseconds: Int64) -> HybridTimestamp {
        let next = max(wallMicroseconds, last.microseconds &+ 1)
        last = HybridTimestamp(microseconds: next)
        return last
    }

    /// Records a time received from another site so later ticks come after it.
    public mutating func observe(_ received: HybridTimestamp) {
        if received > last { last = received }
    }
}
