import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteClientsTests {
    @Test func addPicksTheLowestFreeBitAndRefusesConflicts() async throws {
        try await withSQLiteStore { store, _ async throws in
            #expect(try await store.addClient(id: "a", bit: nil) == ClientRecord(clientId: "a", bit: ClientBit(0)!, isDisabled: false))
            #expect(try await store.addClient(id: "c", bit: ClientBit(2)) == ClientRecord(clientId: "c", bit: ClientBit(2)!, isDisabled: false))
            #expect(try await store.addClient(id: "b", bit: nil).bit == ClientBit(1))
            #expect(try await store.addClient(id: "d", bit: nil).bit == ClientBit(3))

            let duplicate = await expectStoreError(.conflict) { _ = try await store.addClient(id: "a", bit: nil) }
            #expect(duplicate?.message.contains("'a'") == true)
            let taken = await expectStoreError(.conflict) { _ = try await store.addClient(id: "e", bit: ClientBit(2)) }
            #expect(taken?.message.contains("bit 2") == true)
            await expectStoreError(.invalidInput) { _ = try await store.addClient(id: "", bit: nil) }
            await expectStoreError(.invalidInput) { _ = try await store.addClient(id: String(repeating: "x", count: 65), bit: nil) }
            #expect(try await store.clients().map(\.clientId) == ["a", "b", "c", "d"])
        }
    }

    @Test func theSixtyFifthClientIsRefused() async throws {
        try await withSQLiteStore { store, _ async throws in
            for n in 0..<64 { _ = try await store.addClient(id: "client-\(n)", bit: nil) }
            let full = await expectStoreError(.conflict) { _ = try await store.addClient(id: "client-64", bit: nil) }
            #expect(full?.message.contains("64") == true)
            let clients = try await store.clients()
            #expect(clients.map(\.bit.number) == Array(0..<64))
            #expect(clients.last?.clientId == "client-63")
        }
    }

    @Test func disableEnableAndRemove() async throws {
        try await withSQLiteStore { store, _ async throws in
            _ = try await store.addClient(id: "a", bit: ClientBit(5))
            try await store.setClientDisabled(id: "a", disabled: true)
            #expect(try await store.clients() == [ClientRecord(clientId: "a", bit: ClientBit(5)!, isDisabled: true)])
            try await store.setClientDisabled(id: "a", disabled: true)
            try await store.setClientDisabled(id: "a", disabled: false)
            #expect(try await store.clients().first?.isDisabled == false)
            await expectStoreError(.notFound) { try await store.setClientDisabled(id: "zz", disabled: true) }
            try await store.removeClient(id: "a")
            #expect(try await store.clients().isEmpty)
            let gone = await expectStoreError(.notFound) { try await store.removeClient(id: "a") }
            #expect(gone?.message.contains("'a'") == true)
            // A removed client's bit is free again.
            #expect(try await store.addClient(id: "b", bit: ClientBit(5)).bit == ClientBit(5))
        }
    }

    @Test func triggersRefuseChangingIdOrBitButAllowDisabling() async throws {
        try await withSQLiteStore { store, file async throws in
            _ = try await store.addClient(id: "a", bit: ClientBit(1))
            let raw = try file.rawQueue()
            for sql in ["UPDATE arbor_clients SET bit_number = 7", "UPDATE arbor_clients SET client_id = 'z'", "UPDATE arbor_clients SET client_id = 'z', is_disabled = 1"] {
                do {
                    try await raw.write { db in try db.execute(sql: sql) }
                    Issue.record("\(sql) should be refused")
                } catch let error as DatabaseError {
                    #expect(error.message?.contains("remove the client and add it again") == true, "\(error)")
                }
            }
            try await raw.write { db in try db.execute(sql: "UPDATE arbor_clients SET is_disabled = 1") }
            // Rewriting the same values is not a change.
            try await raw.write { db in try db.execute(sql: "UPDATE arbor_clients SET bit_number = 1, client_id = 'a'") }
            #expect(try await store.clients() == [ClientRecord(clientId: "a", bit: ClientBit(1)!, isDisabled: true)])
            try raw.close()
        }
    }

    @Test func watchSeesChangesFromAnotherConnectionAndFromThisStore() async throws {
        try await withSQLiteStore { store, file async throws in
            _ = try await store.addClient(id: "a", bit: nil)
            var updates = store.watchClients(pollInterval: .milliseconds(100)).makeAsyncIterator()
            #expect(try await updates.next()?.map(\.clientId) == ["a"])

            // Raw SQL through a second connection, as the application would do.
            let raw = try file.rawQueue()
            let clock = ContinuousClock()
            let start = clock.now
            try await raw.write { db in try db.execute(sql: "INSERT INTO arbor_clients (client_id, bit_number, is_disabled) VALUES ('b', 9, 0)") }
            #expect(try await updates.next()?.map(\.clientId) == ["a", "b"])
            #expect(clock.now - start < .seconds(10), "a 100 ms poll, with room for a loaded machine")
            try await raw.write { db in try db.execute(sql: "UPDATE arbor_clients SET is_disabled = 1 WHERE client_id = 'b'") }
            #expect(try await updates.next()?.last?.isDisabled == true)

            // A change through the store wakes the watcher at once, even with a long poll.
            var slow = store.watchClients(pollInterval: .seconds(3600)).makeAsyncIterator()
            #expect(try await slow.next()?.count == 2)
            let before = clock.now
            try await store.removeClient(id: "a")
            #expect(try await slow.next()?.map(\.clientId) == ["b"])
            #expect(clock.now - before < .seconds(10), "far below the hour-long poll, with room for a loaded machine")
            try raw.close()
        }
    }

    @Test func closingTheStoreEndsWatchers() async throws {
        let file = SQLiteTestFile()
        defer { file.remove() }
        let store = try await file.open()
        try await store.install(upgradingSchema: false)
        var updates = store.watchClients(pollInterval: .seconds(3600)).makeAsyncIterator()
        #expect(try await updates.next() == [])
        await store.close()
        #expect(try await updates.next() == nil)
    }
}
