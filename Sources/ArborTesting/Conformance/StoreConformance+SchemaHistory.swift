import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    /// Issue 10 item 9: the schema history, downgrades and non-additive schemas refused.
    static let schemaHistoryChecks: [Check] = [
        Check(name: "the schema history lists every schema applied, in order; a downgrade or a non-additive schema changes nothing") { backend in
            let place = try TestStores.place(backend)
            let prefix = TestStores.randomPrefix()
            let first = try await TestStores.open(place, prefix: prefix)
            var opened: [any SiteStore] = []
            func open(_ schema: DistributionSchema) async throws -> any SiteStore {
                let store = try await SiteStores.open(
                    StoreConfiguration(location: place.location, schema: schema, prefix: prefix, siteName: "center"), logger: .init(label: "test")
                )
                opened.append(store)
                return store
            }
            do {
                let v1 = Fixtures.retailSchema, v2 = Fixtures.retailSchemaV2
                let text = { (schema: DistributionSchema) in String(decoding: schema.encodeJSON(), as: UTF8.self) }
                try require(try await first.schemaHistory() == [StoredSchema(name: v1.name, text: text(v1))], "a new database holds only its first schema")
                try await EntitiesSubsystem(store: first).write([Samples.customerCreate(id: Fixtures.id(1))])

                let second = try await open(v2)
                try await second.install(upgradingSchema: true)
                try await second.install(upgradingSchema: true)
                try await second.install(upgradingSchema: false)
                let both = [StoredSchema(name: v1.name, text: text(v1)), StoredSchema(name: v2.name, text: text(v2))]
                let history = try await second.schemaHistory()
                try require(history == both, "history after the upgrade is \(history.map(\.name))")
                // The new class and the new collection take writes; the old row is still there.
                try await EntitiesSubsystem(store: second).write([
                    EntityWrite(.create(inCache: true), entityClass: "Supplier", techId: Fixtures.id(2), topics: Fixtures.topics("A"), fields: ["name": .text("s")]),
                ])
                try require(try await second.entities([EntityKey("Supplier", Fixtures.id(2)), EntityKey("Customer", Fixtures.id(1))]).count == 2, "rows missing after the upgrade")

                // A downgrade, plain or as an apply, is refused and leaves everything as it was.
                let downgrade = try await open(v1)
                for upgrading in [false, true] {
                    try await requireStoreError(.schemaMismatch, "a downgrade (upgrading: \(upgrading))") { try await downgrade.install(upgradingSchema: upgrading) }
                }
                // A schema that drops a field is refused too, with the same name as current or another.
                var dropped = v2
                dropped.name = "retail-v3"
                dropped.classes[0].fields.removeLast()
                let notAdditive = try await open(dropped)
                try await requireStoreError(.schemaMismatch, "a non-additive schema") { try await notAdditive.install(upgradingSchema: true) }
                dropped.name = v2.name
                let sameName = try await open(dropped)
                try await requireStoreError(.schemaMismatch, "another schema under the current name") { try await sameName.install(upgradingSchema: false) }
                try require(try await second.schemaHistory() == both, "a refused install changed the history")
                try require(try await second.storedSchema()?.name == v2.name, "a refused install changed the stored schema")
            } catch {
                for store in opened { await store.close() }
                await TestStores.remove(first, place)
                throw error
            }
            for store in opened { await store.close() }
            await TestStores.remove(first, place)
        },
    ]
}
