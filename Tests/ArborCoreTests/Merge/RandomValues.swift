import ArborCore
import ArborTesting
import Foundation

/// Random field values from small pools, so equal values and equal-time ties happen often.
enum RandomValues {
    static let doubles: [Double] = [.nan, -.nan, .signalingNaN, 0.0, -0.0, 1.5, -1.5, .infinity, -.infinity]
    static let texts = ["", "a", "b", "ab", "\u{E9}", "e\u{301}", "Z"]

    static func value(_ g: inout SeededGenerator) -> FieldValue {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .int(Int32.random(in: -2...2, using: &g))
        case 3: return .bigint(Int64.random(in: -2...2, using: &g))
        case 4: return .double(doubles.randomElement(using: &g) ?? 0)
        case 5: return .timestamp(Int64.random(in: 0...2, using: &g))
        case 6: return .uuid(Fixtures.id(Int.random(in: 0...2, using: &g)))
        case 7: return .text(texts.randomElement(using: &g) ?? "")
        case 8: return .json(["{}", "[]", "[1]"].randomElement(using: &g) ?? "{}")
        default: return .bytes(Data((0..<Int.random(in: 0...2, using: &g)).map { _ in UInt8.random(in: 0...2, using: &g) }))
        }
    }
}
