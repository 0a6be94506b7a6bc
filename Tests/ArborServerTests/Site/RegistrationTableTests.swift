import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// The known registration bits survive concurrent marks and forgets, from tasks of one process
/// and from two processes (two store objects on one database).
@Suite struct RegistrationTableTests {
    @Test(arguments: TestStores.available)
    func concurrentMarksOfDifferentBitsNeverLoseOne(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let one = try await TestStores.open(place, prefix: prefix)
        let two = try await TestStores.open(place, prefix: prefix)
        do {
            let tables = [RegistrationTable(store: one), RegistrationTable(store: two)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<64 {
                    let table = tables[number % 2]
                    group.addTask { try await table.markKnown(ClientBit(number)!) }
                }
                try await group.waitForAll()
            }
            let fresh = RegistrationTable(store: one)
            for number in 0..<64 {
                #expect(try await fresh.isKnown(ClientBit(number)!), "bit \(number) was lost")
            }
            // Forgetting some bits while others are marked again loses neither.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<64 {
                    let table = tables[number % 3 == 0 ? 0 : 1]
                    let bit = ClientBit(number)!
                    group.addTask {
                        if number.isMultiple(of: 2) { try await table.markKnown(bit) } else { try await table.forget(bit) }
                    }
                }
                try await group.waitForAll()
            }
            let after = RegistrationTable(store: two)
            for number in 0..<64 {
                #expect(try await after.isKnown(ClientBit(number)!) == number.isMultiple(of: 2), "bit \(number)")
            }
        } catch {
            await two.close()
            await TestStores.remove(one, place)
            throw error
        }
        await two.close()
        await TestStores.remove(one, place)
    }
}
