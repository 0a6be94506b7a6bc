import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("PostgreSQL registrations, site state and prefixes", .enabled(if: PostgresTesting.isConfigured))
struct PostgresRegistrationsTests {
    static func masks(_ states: [(Int, RegistrationState)]) -> RegistrationMasks {
        var masks = RegistrationMasks()
        for (bit, state) in states { masks.set(state, for: ClientBit(bit)!) }
        return masks
    }

    @Test("registrations save, load (all 64 bits), delete when empty, and clear one bit everywhere")
    func saveLoadClear() async throws {
        try await PostgresTesting.withStore { store in
            let a = Self.masks([(0, .synchronized), (1, .unsynchronized), (3, .synchronized)])
            let b = Self.masks([(63, .synchronized), (62, .unsynchronized)])
            let c = Self.masks([(63, .unsynchronized)])
            try await store.saveRegistrations([Fixtures.id(1): a, Fixtures.id(2): b, Fixtures.id(3): c, Fixtures.id(4): .none])
            let ids: Set<UUID> = [Fixtures.id(1), Fixtures.id(2), Fixtures.id(3), Fixtures.id(4), Fixtures.id(5)]
            #expect(try await store.registrations(ids) == [Fixtures.id(1): a, Fixtures.id(2): b, Fixtures.id(3): c])
            #expect(try await store.registrations([]).isEmpty)

            try await store.saveRegistrations([Fixtures.id(1): .none, Fixtures.id(2): c])
            #expect(try await store.registrations(ids) == [Fixtures.id(2): c, Fixtures.id(3): c])

            try await store.saveRegistrations([Fixtures.id(1): a, Fixtures.id(2): b])
            try await store.clearRegistrations(bit: try #require(ClientBit(63)))
            let cleared = try await store.registrations(ids)
            #expect(cleared == [Fixtures.id(1): a, Fixtures.id(2): Self.masks([(62, .unsynchronized)])], "entity 3 had only bit 63: its row is gone")
            try await store.clearRegistrations(bit: try #require(ClientBit(0)))
            #expect(try await store.registrations([Fixtures.id(1)])[Fixtures.id(1)] == Self.masks([(1, .unsynchronized), (3, .synchronized)]))
            let rows = try await PostgresTesting.execute("SELECT count(*) FROM \(store.prefix)registrations", on: store)
            #expect(try rows.first?.decode(Int64.self) == 2)
        }
    }

    @Test("site state: unset is nil, set, overwrite, any text")
    func siteState() async throws {
        try await PostgresTesting.withStore { store in
            #expect(try await store.siteState("father") == nil)
            try await store.setSiteState("father", "north")
            try await store.setSiteState("father", "south ✓ 'quoted'")
            try await store.setSiteState("empty", "")
            #expect(try await store.siteState("father") == "south ✓ 'quoted'")
            #expect(try await store.siteState("empty") == "")
        }
    }

    @Test("two prefixes in one database do not see each other's entities, log, clients or registrations")
    func prefixesAreIsolated() async throws {
        try await PostgresTesting.withStore { first in
            try await PostgresTesting.withStore { second in
                let entity = PostgresSamples.sample(Fixtures.id(1))
                _ = try await first.write(reading: []) { _ in PostgresSamples.creating([entity]) }
                _ = try await first.addClient(id: "alpha", bit: nil)
                try await first.saveRegistrations([entity.techId: Self.masks([(0, .synchronized)])])
                try await first.setSiteState("father", "north")

                #expect(try await second.entities([entity.key]).isEmpty)
                #expect(try await second.lastSequence() == 0)
                #expect(try await second.readLog(after: 0, limit: 10).isEmpty)
                #expect(try await second.clients().isEmpty)
                #expect(try await second.registrations([entity.techId]).isEmpty)
                #expect(try await second.siteState("father") == nil)
                let snapshot = try await second.snapshot()
                #expect(snapshot.sequence == 0 && snapshot.entities.isEmpty && snapshot.headers.isEmpty)
                // The same entity may exist in both, independently.
                _ = try await second.write(reading: [entity.key]) { _ in PostgresSamples.creating([entity]) }
                #expect(try await first.lastSequence() == 1)
                #expect(try await second.lastSequence() == 1)
                #expect(try await second.addClient(id: "alpha", bit: nil).bit.number == 0)
            }
        }
    }
}
