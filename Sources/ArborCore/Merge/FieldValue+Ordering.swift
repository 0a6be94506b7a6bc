import Foundation

/// A deterministic total order over field values, used to break ties between writes with equal
/// times so that every site picks the same winner whatever order deltas arrive in.
///
/// Values of different types order by type tag: null < bool < int < bigint < double < timestamp
/// < uuid < text < json < bytes. Within a type the natural order applies, made total where the
/// natural one is not: doubles follow IEEE-754 `totalOrder` on their bit patterns (so NaNs and
/// `-0.0 < +0.0` are ordered), text and JSON compare by Unicode scalars (not by Swift's canonical
/// equivalence, which would call two different encodings equal), bytes and UUIDs byte by byte.
///
/// This is deliberately not `Comparable`: `FieldValue`'s `==` treats `-0.0 == 0.0` and
/// `NaN != NaN`, which this order does not.
extension FieldValue {
    /// Compares `self` with `other` in the merge tie-break order.
    public func totalOrder(_ other: FieldValue) -> ComparisonResult {
        let (left, right) = (typeRank, other.typeRank)
        if left != right { return left < right ? .orderedAscending : .orderedDescending }
        switch (self, other) {
        case (.null, .null): return .orderedSame
        case let (.bool(a), .bool(b)): return Self.natural(a ? 1 : 0, b ? 1 : 0)
        case let (.int(a), .int(b)): return Self.natural(a, b)
        case let (.bigint(a), .bigint(b)): return Self.natural(a, b)
        case let (.double(a), .double(b)): return Self.natural(Self.totalOrderKey(a), Self.totalOrderKey(b))
        case let (.timestamp(a), .timestamp(b)): return Self.natural(a, b)
        case let (.uuid(a), .uuid(b)):
            return withUnsafeBytes(of: a.uuid) { x in withUnsafeBytes(of: b.uuid) { y in Self.lexicographic(x, y) } }
        case let (.text(a), .text(b)): return Self.scalarOrder(a, b)
        case let (.json(a), .json(b)): return Self.scalarOrder(a, b)
        case let (.bytes(a), .bytes(b)): return Self.lexicographic(a, b)
        default: return .orderedSame  // unreachable: equal ranks mean equal cases
        }
    }

    /// Whether `self` and `other` are the same value in the tie-break order (bit-identical doubles).
    public func isIdentical(to other: FieldValue) -> Bool { totalOrder(other) == .orderedSame }

    /// The position of the value's type in the order of types.
    var typeRank: Int {
        switch self {
        case .null: return 0
        case .bool: return 1
        case .int: return 2
        case .bigint: return 3
        case .double: return 4
        case .timestamp: return 5
        case .uuid: return 6
        case .text: return 7
        case .json: return 8
        case .bytes: return 9
        }
    }

    /// Maps a double's bits to an unsigned key whose order is IEEE-754 `totalOrder`:
    /// negatives have every bit flipped (larger magnitude sorts first), positives only the sign.
    static func totalOrderKey(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// Compares two strings by their Unicode scalar values, lexicographically.
    static func scalarOrder(_ a: String, _ b: String) -> ComparisonResult {
        lexicographic(a.unicodeScalars.lazy.map(\.value), b.unicodeScalars.lazy.map(\.value))
    }

    static func natural<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult {
        a < b ? .orderedAscending : (b < a ? .orderedDescending : .orderedSame)
    }

    /// Element-by-element order; a proper prefix sorts first.
    static func lexicographic<A: Sequence, B: Sequence>(_ a: A, _ b: B) -> ComparisonResult
    where A.Element: Comparable, B.Element == A.Element {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return .orderedSame
            case (nil, _): return .orderedAscending
            case (_, nil): return .orderedDescending
            case let (x?, y?): if x != y { return x < y ? .orderedAscending : .orderedDescending }
            }
        }
    }
}
