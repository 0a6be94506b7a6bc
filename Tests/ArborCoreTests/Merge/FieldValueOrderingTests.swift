import ArborCore
import ArborTesting
import Foundation
import Testing

/// The deterministic total order that breaks merge ties.
@Suite("FieldValue total order")
struct FieldValueOrderingTests {
    /// One value of each type, in the documented order of type tags.
    static let oneOfEachType: [FieldValue] = [
        .null, .bool(true), .int(.max), .bigint(.min), .double(.infinity), .timestamp(.min),
        .uuid(Fixtures.id(0)), .text(""), .json("{}"), .bytes(Data()),
    ]

    @Test("types order null < bool < int < bigint < double < timestamp < uuid < text < json < bytes")
    func typeOrder() {
        for (i, a) in Self.oneOfEachType.enumerated() {
            for (j, b) in Self.oneOfEachType.enumerated() {
                let expected: ComparisonResult = i < j ? .orderedAscending : (i > j ? .orderedDescending : .orderedSame)
                #expect(a.totalOrder(b) == expected, "\(a) vs \(b)")
            }
        }
    }

    @Test("doubles follow IEEE-754 totalOrder: -NaN < -inf < -0.0 < +0.0 < +inf < NaN")
    func doubles() {
        let ordered: [Double] = [-.nan, -.infinity, -1, -.leastNonzeroMagnitude, -0.0, 0.0, .leastNonzeroMagnitude, 1, .infinity, .nan]
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(FieldValue.double(a).totalOrder(.double(b)) == .orderedAscending, "\(a) < \(b)")
        }
        #expect(FieldValue.double(.nan).isIdentical(to: .double(.nan)))
        #expect(!FieldValue.double(-0.0).isIdentical(to: .double(0.0)))
        #expect(FieldValue.double(.nan).totalOrder(.double(.signalingNaN)) != .orderedSame)
    }

    @Test("text compares by Unicode scalars, so canonically equal encodings still differ")
    func textScalars() {
        let composed = FieldValue.text("\u{E9}")
        let decomposed = FieldValue.text("e\u{301}")
        #expect(composed == decomposed)  // Swift's == calls them equal ...
        #expect(decomposed.totalOrder(composed) == .orderedAscending)  // ... the merge does not: 'e' < U+00E9
        #expect(FieldValue.text("ab").totalOrder(.text("abc")) == .orderedAscending)
        #expect(FieldValue.json("[2]").totalOrder(.json("[10]")) == .orderedDescending)
    }

    @Test("bytes and UUIDs compare byte by byte, a prefix first")
    func bytesAndUUIDs() {
        #expect(FieldValue.bytes(Data([1, 2])).totalOrder(.bytes(Data([1, 2, 0]))) == .orderedAscending)
        #expect(FieldValue.bytes(Data([2])).totalOrder(.bytes(Data([1, 255]))) == .orderedDescending)
        #expect(FieldValue.uuid(Fixtures.id(2)).totalOrder(.uuid(Fixtures.id(1))) == .orderedDescending)
        #expect(FieldValue.bool(false).totalOrder(.bool(true)) == .orderedAscending)
    }

    @Test("seeded: antisymmetric, reflexive and transitive on random values")
    func strictTotalOrder() {
        var generator = SeededGenerator(seed: 0xF1E1D)
        for round in 0..<300 {
            let (a, b, c) = (RandomValues.value(&generator), RandomValues.value(&generator), RandomValues.value(&generator))
            let ab = a.totalOrder(b), ba = b.totalOrder(a), bc = b.totalOrder(c), ac = a.totalOrder(c)
            #expect(a.totalOrder(a) == .orderedSame, "round \(round): \(a)")
            #expect(ab.rawValue == -ba.rawValue, "round \(round): \(a) vs \(b)")
            if ab == .orderedSame { #expect(MergeFixtures.render(a) == MergeFixtures.render(b), "round \(round)") }
            if ab != .orderedDescending && bc != .orderedDescending {
                #expect(ac != .orderedDescending, "round \(round): \(a) ≤ \(b) ≤ \(c)")
            }
            if ab == .orderedAscending && bc == .orderedAscending { #expect(ac == .orderedAscending, "round \(round)") }
        }
    }
}
