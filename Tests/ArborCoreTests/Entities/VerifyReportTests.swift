import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite struct VerifyReportTests {
    private let customer1 = EntityRef("Customer", Fixtures.id(1))
    private let customer2 = EntityRef("Customer", Fixtures.id(2))
    private let order3 = EntityRef("Order", Fixtures.id(3))
    private let order4 = EntityRef("Order", Fixtures.id(4))

    @Test func equalMapsGiveAnEqualReport() {
        let digests = [customer1: "aa", order3: "bb"]
        let report = VerifyReport(a: digests, b: digests)
        #expect(report.isEqual)
        #expect(report.entries.isEmpty)
        #expect(report.matching == 2)
        #expect(report.description == "equal: 2 entities match")
    }

    @Test func emptyMapsAreEqual() {
        let report = VerifyReport(a: [:], b: [:])
        #expect(report.isEqual)
        #expect(report.summary == "equal: 0 entities match")
    }

    @Test func findsEachKindOfDifference() {
        let a = [customer1: "aa", customer2: "bb", order3: "cc"]
        let b = [customer1: "aa", customer2: "XX", order4: "dd"]
        let report = VerifyReport(a: a, b: b)
        #expect(!report.isEqual)
        #expect(report.onlyAtA == [order3])
        #expect(report.onlyAtB == [order4])
        #expect(report.differing == [customer2])
        #expect(report.matching == 1)
        #expect(report.entries.map(\.entity) == [customer2, order3, order4])
    }

    @Test func descriptionListsDifferencesThenTheSummary() {
        let report = VerifyReport(a: [customer2: "bb", order3: "cc"], b: [customer2: "XX", order4: "dd"], labelA: "center", labelB: "shop")
        #expect(report.description == """
            Customer \(Fixtures.id(2).uuidString) differs
            Order \(Fixtures.id(3).uuidString) only at center
            Order \(Fixtures.id(4).uuidString) only at shop
            different: 1 differ, 1 only at center, 1 only at shop, 0 match
            """)
    }

    @Test func swappingTheSitesSwapsOnlyAtAAndOnlyAtB() {
        let a = [customer1: "aa", order3: "cc"], b = [customer1: "zz", order4: "dd"]
        let forward = VerifyReport(a: a, b: b), backward = VerifyReport(a: b, b: a)
        #expect(forward.onlyAtA == backward.onlyAtB)
        #expect(forward.onlyAtB == backward.onlyAtA)
        #expect(forward.differing == backward.differing)
    }

    @Test func comparesDigestResponses() {
        let a = DigestResponse(sequence: 5, entities: [EntityDigest(entity: customer1, digest: "aa"), EntityDigest(entity: order3, digest: "cc")])
        let b = DigestResponse(sequence: 9, entities: [EntityDigest(entity: order3, digest: "cc"), EntityDigest(entity: customer1, digest: "ab")])
        let report = VerifyReport(a: a, b: b)
        #expect(report.differing == [customer1])
        #expect(report.matching == 1)
    }

    @Test func sameIdInTwoClassesIsTwoEntities() {
        let report = VerifyReport(a: [EntityRef("Customer", Fixtures.id(1)): "aa"], b: [EntityRef("Order", Fixtures.id(1)): "aa"])
        #expect(report.onlyAtA == [EntityRef("Customer", Fixtures.id(1))])
        #expect(report.onlyAtB == [EntityRef("Order", Fixtures.id(1))])
    }
}
