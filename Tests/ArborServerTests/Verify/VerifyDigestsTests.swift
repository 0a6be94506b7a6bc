import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Testing

/// `POST …/cache/digests` at two in-process sites, compared with ``VerifyReport``.
@Suite(.heavy) struct VerifyDigestsTests {
    private let customer = Fixtures.id(1), outOfCache = Fixtures.id(2), order = Fixtures.id(3)
    private let outside = Fixtures.id(4), deleted = Fixtures.id(5)

    /// The same entities at both sites: inCache or not, with sub-entities, one logically
    /// deleted, one outside slice `A`.
    private func writeCommonEntities(_ sites: inout VerifySites) async throws {
        let both = [sites.a, sites.b]
        try await sites.write(Samples.customerCreate(id: customer), at: 1_000, to: both)
        try await sites.write(Samples.customerCreate(id: outOfCache, name: "Bo", inCache: false), at: 1_001, to: both)
        try await sites.write(Samples.orderCreate(id: order, lineId: Fixtures.id(31), taxId: Fixtures.id(32)), at: 1_002, to: both)
        try await sites.write(Samples.customerCreate(id: outside, topics: Fixtures.topics("B")), at: 1_003, to: both)
        try await sites.write(Samples.customerCreate(id: deleted, name: "Gone"), at: 1_004, to: both)
        try await sites.write(EntityWrite(.delete, entityClass: "Customer", techId: deleted), at: 1_005, to: both)
    }

    @Test(arguments: TestStores.available)
    func identicalDeltasGiveEqualDigests(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            let answer = try await VerifySites.edge(sites.a).digests(slice: "A")
            #expect(answer.entities.map(\.entity) == [
                EntityRef("Customer", customer), EntityRef("Customer", outOfCache), EntityRef("Order", order),
            ], "slice A selects every live A entity (the logically deleted one left out), ordered by class and tech-id")
            #expect(answer.sequence > 0)
            let report = try await sites.report(slice: "A")
            #expect(report.isEqual, "\(report)")
            #expect(report.matching == 3)
        }
    }

    /// Issue 10 item 11: a site that reloaded never receives logically deleted entities, so a
    /// deleted entity held by one site only is no difference.
    @Test(arguments: TestStores.available)
    func aLogicallyDeletedEntityHeldByOneSiteOnlyIsNoDifference(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            let gone = Fixtures.id(6)
            try await sites.write(Samples.customerCreate(id: gone, name: "Deleted before the reload"), at: 2_000, to: [sites.b])
            try await sites.write(EntityWrite(.delete, entityClass: "Customer", techId: gone), at: 2_001, to: [sites.b])
            let report = try await sites.report(slice: "A")
            #expect(report.isEqual, "\(report)")
        }
    }

    @Test(arguments: TestStores.available)
    func aChangedFieldAtOneSiteIsReported(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            try await sites.write(EntityWrite(.update, entityClass: "Customer", techId: customer, fields: ["vip": .bool(true)]), at: 2_000, to: [sites.b])
            try await sites.write(EntityWrite(.update, entityClass: "Customer", techId: outOfCache, fields: ["name": .text("Bob")]), at: 2_001, to: [sites.a])
            let report = try await sites.report(slice: "A")
            #expect(report.differing == [EntityRef("Customer", customer), EntityRef("Customer", outOfCache)])
            #expect(report.onlyAtA.isEmpty && report.onlyAtB.isEmpty)
            #expect(report.matching == 1)
        }
    }

    @Test(arguments: TestStores.available)
    func theSameValueWrittenAtAnotherTimeDiffers(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            let rename = EntityWrite(.update, entityClass: "Customer", techId: customer, fields: ["name": .text("Ada Lovelace")])
            try await sites.write(rename, at: 2_000, to: [sites.a])
            try await sites.write(rename, at: 2_001, to: [sites.b])
            #expect(try await sites.report(slice: "A").differing == [EntityRef("Customer", customer)])
        }
    }

    @Test(arguments: TestStores.available)
    func entitiesAtOneSiteOnlyAreReported(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            try await sites.write(Samples.customerCreate(id: Fixtures.id(6)), at: 2_000, to: [sites.a])
            try await sites.write(Samples.customerCreate(id: Fixtures.id(7), inCache: false), at: 2_001, to: [sites.b])
            let report = try await sites.report(slice: "A")
            #expect(report.onlyAtA == [EntityRef("Customer", Fixtures.id(6))])
            #expect(report.onlyAtB == [EntityRef("Customer", Fixtures.id(7))])
            #expect(report.differing.isEmpty)
        }
    }

    @Test(arguments: TestStores.available)
    func entitiesOutsideTheSliceAreNotCompared(_ backend: TestStores.Backend) async throws {
        try await VerifySites.with(backend) { sites in
            try await writeCommonEntities(&sites)
            // Outside slice A: changed at one site, and present at one site only.
            try await sites.write(EntityWrite(.update, entityClass: "Customer", techId: outside, fields: ["vip": .bool(true)]), at: 2_000, to: [sites.a])
            try await sites.write(Samples.customerCreate(id: Fixtures.id(8), topics: Fixtures.topics("B")), at: 2_001, to: [sites.b])
            let report = try await sites.report(slice: "A")
            #expect(report.isEqual, "\(report)")
            let widened = try await sites.report(slice: "A+B")
            #expect(widened.differing == [EntityRef("Customer", outside)])
            #expect(widened.onlyAtB == [EntityRef("Customer", Fixtures.id(8))])
        }
    }

    /// Digests use steady-state selection: a time window does not drop entities written long ago.
    @Test func timeWindowsAreIgnored() async throws {
        try await VerifySites.with(.sqlite) { sites in
            try await writeCommonEntities(&sites)
            let plain = try await VerifySites.edge(sites.a).digests(slice: "A")
            let windowed = try await VerifySites.edge(sites.a).digests(slice: "A*TimeWindow60")
            #expect(windowed.entities == plain.entities)
            #expect(plain.entities.count == 3, "the live A entities")
        }
    }

    @Test func refusesUnknownClientsAndBadSlices() async throws {
        try await VerifySites.with(.sqlite) { sites in
            await #expect { try await VerifySites.edge(sites.a, clientId: "stranger").digests(slice: "A") } throws: { error in
                (error as? EdgeError)?.code == .unknownClient
            }
            await #expect { try await VerifySites.edge(sites.a).digests(slice: "A+") } throws: { error in
                (error as? EdgeError)?.code == .sliceSyntax
            }
            try await sites.a.store.setClientDisabled(id: VerifySites.clientId, disabled: true)
            try await sites.a.context.clients.refresh()
            await #expect { try await VerifySites.edge(sites.a).digests(slice: "A") } throws: { error in
                (error as? EdgeError)?.code == .clientDisabled
            }
        }
    }
}
