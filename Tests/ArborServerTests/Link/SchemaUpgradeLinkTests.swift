import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import Testing

/// Issue 10 item 9: an additive schema upgrade rolls through a running tree, center first,
/// with a son on the older schema still exchanging deltas, and nothing written under the older
/// schema is lost when the son is upgraded in turn.
@Suite(.serialized, .heavy) struct SchemaUpgradeLinkTests {
    let v1 = Fixtures.retailSchema
    let v2 = Fixtures.retailSchemaV2

    /// Applies `schema` to the stopped site's database, as `arbor schema apply` does.
    static func apply(_ schema: DistributionSchema, to site: LinkedSite) async throws {
        let configuration = StoreConfiguration(location: site.place.location, schema: schema, prefix: site.store.prefix, siteName: site.store.siteName)
        let store = try await SiteStores.open(configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            try await store.install(upgradingSchema: true)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func sonLink(_ center: LinkedSite) -> FatherLinkSettings { testLinkSettings(father: center.baseURL) }

    @Test("center on v2 and son on v1 exchange deltas both ways; the son's v1 writes made offline reach the center after its upgrade; downgrades are refused",
          arguments: TestStores.available)
    func rollingUpgrade(centerBackend: TestStores.Backend) async throws {
        var center = try await LinkedSite.start(centerBackend, siteName: "center", schema: v1, sons: ["b1"])
        var son: LinkedSite
        do {
            son = try await LinkedSite.start(.sqlite, siteName: "branch1", schema: v1, father: Self.sonLink(center))
        } catch {
            await center.stop()
            throw error
        }
        var running = (center: true, son: true)
        do {
            try await center.create(Fixtures.id(1), name: "before")
            try await eventually("the son loads the first customer") { try await son.field("name", of: Fixtures.id(1)) == .text("before") }

            // 1. The center is upgraded first (stopped, schema applied, started on v2).
            await center.stop(keepData: true)
            running.center = false
            try await Self.apply(v2, to: center)
            center = try await LinkedSite.start(centerBackend, siteName: "center", schema: v2, port: center.port, reuse: (center.place, center.store.prefix))
            running.center = true
            #expect(try await center.store.schemaHistory().map(\.name) == ["retail-v1", "retail-v2"])

            // 2. Center (v2) → son (v1): the v1 fields arrive; v2-only fields and classes are dropped for the son.
            try await center.context.entities.write([
                Samples.customerCreate(id: Fixtures.id(2), name: "made at v2", extra: ["phone": .text("555")]),
                EntityWrite(.create(inCache: true), entityClass: "Supplier", techId: Fixtures.id(3), topics: Fixtures.topics("A"), fields: ["name": .text("s")]),
            ])
            try await center.update(Fixtures.id(1), ["name": .text("renamed at v2"), "phone": .text("556")])
            try await eventually("the v1 son receives the v2 center's changes it can represent") {
                let created = try await son.field("name", of: Fixtures.id(2))
                let renamed = try await son.field("name", of: Fixtures.id(1))
                return created == .text("made at v2") && renamed == .text("renamed at v2")
            }
            #expect(try await son.customer(Fixtures.id(2))?.fields["phone"] == nil)

            // 3. Son (v1) → center (v2): the son's uploads are decoded with v1 from the center's history.
            try await son.create(Fixtures.id(4), name: "made at the v1 son")
            try await son.update(Fixtures.id(2), ["email": .text("x@y")])
            try await eventually("the v2 center receives the v1 son's writes") {
                let created = try await center.field("name", of: Fixtures.id(4))
                let email = try await center.field("email", of: Fixtures.id(2))
                return created == .text("made at the v1 son") && email == .text("x@y")
            }
            #expect(try await center.field("phone", of: Fixtures.id(2)) == .text("555"), "the son's v1 update keeps the v2 field")

            // 4. Writes at the son under v1 that the center has not received: the center is
            // down, the son writes, then the son is upgraded and everything is started again.
            await center.stop(keepData: true)
            running.center = false
            for n in 10..<15 { try await son.create(Fixtures.id(n), name: "offline \(n)") }
            try await son.update(Fixtures.id(4), ["name": .text("renamed offline")])
            await son.stop(keepData: true)
            running.son = false
            try await Self.apply(v2, to: son)
            son = try await LinkedSite.start(.sqlite, siteName: "branch1", schema: v2, reuse: (son.place, son.store.prefix), father: Self.sonLink(center))
            running.son = true
            center = try await LinkedSite.start(centerBackend, siteName: "center", schema: v2, port: center.port, reuse: (center.place, center.store.prefix))
            running.center = true
            try await eventually("every write the son made under v1 reaches the center", timeout: .seconds(60)) {
                for n in 10..<15 where try await center.field("name", of: Fixtures.id(n)) != .text("offline \(n)") { return false }
                return try await center.field("name", of: Fixtures.id(4)) == .text("renamed offline")
            }
            // The upgraded son reloads its slice: the v2 values and entities written at the
            // center while it ran v1 (cut from its answers then) arrive without a later change.
            try await eventually("the upgraded son receives the v2 values written while it ran v1", timeout: .seconds(60)) {
                let phones = (try await son.field("phone", of: Fixtures.id(2)), try await son.field("phone", of: Fixtures.id(1)))
                let supplier = try await son.store.entities([EntityKey("Supplier", Fixtures.id(3))]).first
                return phones == (.text("555"), .text("556")) && supplier != nil
            }
            // Now both run v2: v2 fields flow both ways.
            try await son.update(Fixtures.id(10), ["phone": .text("777")])
            try await eventually("a v2 field written at the upgraded son reaches the center") {
                try await center.field("phone", of: Fixtures.id(10)) == .text("777")
            }
            // The son's log still holds its v1 records, and they read as v2 buffers.
            #expect(try await son.context.logTail.buffers(after: 0, limit: 1_000).allSatisfy { $0.schemaName == "retail-v2" && !$0.deltas.isEmpty })

            // 5. A downgrade of the son is refused and changes nothing.
            await son.stop(keepData: true)
            running.son = false
            await #expect(throws: StoreError.self) { try await Self.apply(v1, to: son) }
            son = try await LinkedSite.start(.sqlite, siteName: "branch1", schema: v2, reuse: (son.place, son.store.prefix))
            running.son = true
            #expect(try await son.store.storedSchema()?.name == "retail-v2")
            #expect(try await son.store.schemaHistory().map(\.name) == ["retail-v1", "retail-v2"])
        } catch {
            if running.son { await son.stop() }
            if running.center { await center.stop() }
            throw error
        }
        await son.stop()
        await center.stop()
    }
}
