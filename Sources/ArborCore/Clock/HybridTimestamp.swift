/// A hybrid-logical-clock time: wall-clock microseconds since 1970 (UTC), never going backwards
/// at one site and bumped past every time received (DESIGN rule 7).
public struct HybridTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The earliest representable time; used as "never written".
    public static let zero = HybridTimestamp(microseconds: 0)

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    /// This time moved by `seconds` (negative moves back).
    public func adding(seconds: Int64) -> HybridTimestamp {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? HybridTimestamp(microseconds: .min) : HybridTimestamp(microseconds: .max) }
        let (sum, sumOverflow) = microseconds.addingReportingOverflow(product)
        if sumOverflow { return product < 0 ? HybridTimestamp(microseconds: .min) : HybridTimestamp(microseconds: .max) }
        return HybridTimestamp(microseconds: sum)
    }

    public var description: String { "\(microseconds)µs" }
}
