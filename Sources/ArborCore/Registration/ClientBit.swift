/// A client's bit in the 64-bit registration masks (§2.7, §6.1): 0 through 63.
public struct ClientBit: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The bit number, always in 0...63.
    public let number: Int

    /// The valid bit numbers.
    public static let range = 0...63

    /// Fails when `number` is outside 0...63.
    public init?(_ number: Int) {
        guard Self.range.contains(number) else { return nil }
        self.number = number
    }

    /// The mask with only this bit set.
    public var mask: UInt64 { 1 << UInt64(number) }

    public static func < (lhs: ClientBit, rhs: ClientBit) -> Bool { lhs.number < rhs.number }

    public var description: String { "bit \(number)" }
}
