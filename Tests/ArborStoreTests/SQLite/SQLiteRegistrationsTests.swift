import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite struct SQLiteRegistrationsTests {
    static func masks(_ states: [(Int, RegistrationState)]) -> RegistrationMasks {
        var masks = RegistrationMasks()
        for (bit, state) in states { masks.set(state, for: ClientBit(bit)!) }
        return masks
    }

    @Test func masksRoundTripIncludingTheSignBit() async throws {
        try await withSQLiteStore { store, _ async throws in
            let all = RegistrationMasks(registered: .max, synced: .max)
            let high = Self.masks([(63, .synchronized), (0, .unsynchronized)])
            try await store.saveRegistrations([Fixtures.id(1): all, Fixtures.id(2): high, Fixtures.id(3): .none])
            let read = try await store.registrations([Fixtures.id(1), Fixtures.id(2), Fixtures.id(3), Fixtures.id(4)])
            #expect(read == [Fixtures.id(1): all, Fixtures.id(2): high])

            // Saving an empty mask deletes the row; others are replaced.
            try await store.saveRegistrations([Fixtures.id(1): .none, Fixtures.id(2): Self.masks([(5, .unsynchronized)])])
            #expect(try await store.registrations([Fixtures.id(1), Fixtures.id(2)]) == [Fixtures.id(2): Self.masks([(5, .unsynchronized)])])
        }
    }

    @Test func clearingABitLeavesTheOthersAndDropsEmptiedRows() async throws {
        try await withSQLiteStore { store, _ async throws in
            try await store.saveRegistrations([
                Fixtures.id(1): Self.masks([(63, .synchronized), (2, .synchronized)]),
                Fixtures.id(2): Self.masks([(63, .unsynchronized)]),
                Fixtures.id(3): Self.masks([(4, .synchronized)]),
            ])
            try await store.clearRegistrations(bit: ClientBit(63)!)
            let read = try await store.registrations([Fixtures.id(1), Fixtures.id(2), Fixtures.id(3)])
            #expect(read == [Fixtures.id(1): Self.masks([(2, .synchronized)]), Fixtures.id(3): Self.masks([(4, .synchronized)])])
            try await store.clearRegistrations(bit: ClientBit(2)!)
            #expect(try await store.registrations([Fixtures.id(1), Fixtures.id(3)]).keys.sorted { $0.uuidString < $1.uuidString } == [Fixtures.id(3)])
        }
    }

    @Test func siteStateIsSetReplacedAndWrittenWithTransactions() async throws {
        try await withSQLiteStore { store, _ async throws in
            #expect(try await store.siteState("father") == nil)
            try await store.setSiteState("father", "center")
            try await store.setSiteState("father", "branch-2")
            try await store.setSiteState("empty", "")
            #expect(try await store.siteState("father") == "branch-2")
            #expect(try await store.siteState("empty") == "")
            try await store.write(reading: []) { _ in TransactionPlan(siteState: ["father": "x", "applied/center": "12"], result: ()) }
            #expect(try await store.siteState("father") == "x")
            #expect(try await store.siteState("applied/center") == "12")
        }
    }
}
