import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `!T` in a son's subscription end to end (DESIGN rule 1, issue 10 item 3): a father and an
/// in-process SQLite son linked over HTTP.
@Suite(.serialized, .heavy) struct NegatedTopicLinkTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    /// Runs `body` with a center on `backend` and SQLite son `b1` subscribed to `slice`; always stops both.
    func withPair(
        _ backend: TestStores.Backend, slice: String, _ body: (_ father: LinkedSite, _ son: LinkedSite) async throws -> Void
    ) async throws {
        let father = try await LinkedSite.start(backend, siteName: "center", sons: ["b1"])
        let son: LinkedSite
        do {
            son = try await LinkedSite.start(.sqlite, siteName: "branch1", father: testLinkSettings(father: father.baseURL, slice: slice))
        } catch {
            await father.stop()
            throw error
        }
        do {
            try await body(father, son)
        } catch {
            await son.stop()
            await father.stop()
            throw error
        }
        await son.stop()
        await father.stop()
    }

    func move(_ site: LinkedSite, _ id: UUID, to topics: String) async throws {
        try await site.context.entities.write([EntityWrite(.update, entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics))])
    }

    @Test("A*!X: an entity the father moves to ,B,X, is dropped at the son; renamed and moved back to ,A, it arrives renamed", arguments: TestStores.available)
    func blockedEntityComesBackWhole(father backend: TestStores.Backend) async throws {
        try await withPair(backend, slice: "A*!X") { father, son in
            try await father.create(id(1), name: "first")
            try await eventually("the son loads the entity") { try await son.field("name", of: id(1)) == .text("first") }
            try await move(father, id(1), to: ",B,X,")
            try await eventually("the son drops what a write above gave X") { try await son.customer(id(1)) == nil }
            try await eventually("and unregisters it at the father") {
                (try await father.store.registrations([id(1)])[id(1)] ?? .none).isEmpty
            }
            try await father.update(id(1), ["name": .text("renamed away")])
            // A marker in the slice shows the son fetched past the change it no longer gets.
            try await father.create(id(2), name: "marker")
            try await eventually("the son fetched past the blocked changes") { try await son.field("name", of: id(2)) == .text("marker") }
            #expect(try await son.customer(id(1)) == nil, "not recreated while it carries X")
            #expect(try await father.customer(id(1))?.topics == TopicsList(parsing: ",B,X,"), "the father keeps the entity")
            try await move(father, id(1), to: ",A,")
            try await eventually("the son holds the name set while the entity was blocked") {
                try await son.field("name", of: id(1)) == .text("renamed away")
            }
            #expect(try await son.customer(id(1))?.topics == TopicsList(parsing: ",A,"))
        }
    }

    @Test("T1*!T2+T3: an entity created with ,T2,T3, reaches the son in steady state, as the load gives it", arguments: TestStores.available)
    func selectedDespiteNegationInSteadyState(father backend: TestStores.Backend) async throws {
        try await withPair(backend, slice: "T1*!T2+T3") { father, son in
            try await father.create(id(3), name: "loaded", topics: ",T2,T3,")
            try await eventually("the load brings it") { try await son.field("name", of: id(3)) == .text("loaded") }
            try await father.create(id(4), name: "fetched", topics: ",T2,T3,")
            try await father.create(id(5), name: "not selected", topics: ",T1,T2,")
            try await eventually("the fetch brings the CREATE") { try await son.field("name", of: id(4)) == .text("fetched") }
            try await father.update(id(3), ["name": .text("updated")])
            try await eventually("and later updates") { try await son.field("name", of: id(3)) == .text("updated") }
            #expect(try await son.customer(id(5)) == nil)
        }
    }

    @Test("A*!X: an entity the son moves to ,B,X, itself is dropped there once uploaded, and the father keeps it", arguments: TestStores.available)
    func sonDropsWhatItBlocks(father backend: TestStores.Backend) async throws {
        try await withPair(backend, slice: "A*!X") { father, son in
            try await son.create(id(6), name: "made at the branch")
            try await eventually("it reaches the father") { try await father.field("name", of: id(6)) == .text("made at the branch") }
            try await move(son, id(6), to: ",B,X,")
            try await eventually("the son drops it once the father has the move") { try await son.customer(id(6)) == nil }
            #expect(try await father.customer(id(6))?.topics == TopicsList(parsing: ",B,X,"), "the father keeps the entity")
            #expect(try await father.field("name", of: id(6)) == .text("made at the branch"))
            // The drop is local: no delete went up, and the son is unregistered at the father.
            let fatherDeltas = try await father.loggedDeltas().filter { $0.techId == id(6) }
            #expect(!fatherDeltas.contains { $0.fields[FieldDefinition.deleted.name]?.value == .bool(true) })
            try await eventually("the son unregistered it at the father") {
                let masks = try await father.store.registrations([id(6)])[id(6)] ?? .none
                return masks.isEmpty
            }
            // Back in the slice, it comes back whole.
            try await father.update(id(6), ["name": .text("back")])
            try await move(father, id(6), to: ",A,")
            try await eventually("it returns to the son") { try await son.field("name", of: id(6)) == .text("back") }
        }
    }
}
