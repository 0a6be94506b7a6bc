import ArborCore
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `EntitiesSubsystem.dropLocally`: a son's local removal of entities it stops holding
/// (§2.3, DESIGN rule 1), on every available backend.
struct EntitiesLocalDropTests {
    @Test("drops only entities unchanged since the caller looked, appending a DELETE and no logical delete", arguments: TestStores.available)
    func dropsOnlyUnchanged(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let entities = EntitiesSubsystem(store: store)
            let kept = EntityKey("Customer", Fixtures.id(1)), dropped = EntityKey("Customer", Fixtures.id(2))
            try await entities.write([Samples.customerCreate(id: kept.techId), Samples.customerCreate(id: dropped.techId)])
            let seen = Dictionary(uniqueKeysWithValues: try await store.entities([kept, dropped]).map { (EntityKey($0.entityClass, $0.techId), $0.updateTime) })
            // A write after the caller looked: that entity must stay.
            try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: kept.techId, fields: ["name": .text("newer")])])
            let before = try await store.lastSequence()
            let result = try await entities.dropLocally(seen)
            #expect(result == [dropped])
            #expect(try await store.entities([dropped]).isEmpty)
            #expect(try await store.entities([kept]).first?.fields["name"]?.value == .text("newer"))
            let logged = try Samples.loggedDeltas(try await store.readLog(after: before, limit: 10), schema: store.schema).flatMap { $0 }
            #expect(logged.map(\.operation) == [.delete], "only a DELETE for cache servers; nothing bound for the father")
            #expect(try await entities.dropLocally([:]).isEmpty)
            #expect(try await entities.dropLocally(seen).isEmpty, "gone or changed: nothing more to drop")
        }
    }
}
