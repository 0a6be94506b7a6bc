import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

@Suite("PostgreSQL clients table", .enabled(if: PostgresTesting.isConfigured))
struct PostgresClientsTests {
    @Test("add with automatic and chosen bits; duplicate id, bit in use and a 65th client are conflicts")
    func addClients() async throws {
        try await PostgresTesting.withStore { store in
            #expect(try await store.addClient(id: "alpha", bit: nil) == ClientRecord(clientId: "alpha", bit: try #require(ClientBit(0)), isDisabled: false))
            #expect(try await store.addClient(id: "gamma", bit: ClientBit(2)).bit.number == 2)
            #expect(try await store.addClient(id: "beta", bit: nil).bit.number == 1)
            #expect(try await store.addClient(id: "delta", bit: nil).bit.number == 3, "the lowest free bit")

            let duplicate = await PostgresTesting.storeError { _ = try await store.addClient(id: "alpha", bit: nil) }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.message.contains("'alpha'") == true)
            let inUse = await PostgresTesting.storeError { _ = try await store.addClient(id: "eps", bit: ClientBit(2)) }
            #expect(inUse?.code == .conflict)
            #expect(inUse?.message.contains("bit 2") == true && inUse?.message.contains("'gamma'") == true)
            for id in ["", String(repeating: "x", count: 65), "tab\tbed"] {
                #expect(await PostgresTesting.storeError { _ = try await store.addClient(id: id, bit: nil) }?.code == .invalidInput)
            }

            for n in 4...63 { _ = try await store.addClient(id: "c\(n)", bit: nil) }
            let full = await PostgresTesting.storeError { _ = try await store.addClient(id: "one-too-many", bit: nil) }
            #expect(full?.code == .conflict)
            #expect(full?.message.contains("64") == true)
            let all = try await store.clients()
            #expect(all.map(\.bit.number) == Array(0...63))
            #expect(all.first?.clientId == "alpha")
        }
    }

    @Test("disable, enable and remove; unknown ids are .notFound; a removed id and bit can be reused")
    func disableEnableRemove() async throws {
        try await PostgresTesting.withStore { store in
            _ = try await store.addClient(id: "alpha", bit: ClientBit(7))
            try await store.setClientDisabled(id: "alpha", disabled: true)
            #expect(try await store.clients().first?.isDisabled == true)
            try await store.setClientDisabled(id: "alpha", disabled: false)
            #expect(try await store.clients().first?.isDisabled == false)
            #expect(await PostgresTesting.storeError { try await store.setClientDisabled(id: "ghost", disabled: true) }?.code == .notFound)
            #expect(await PostgresTesting.storeError { try await store.removeClient(id: "ghost") }?.code == .notFound)
            try await store.removeClient(id: "alpha")
            #expect(try await store.clients().isEmpty)
            #expect(try await store.addClient(id: "alpha", bit: ClientBit(7)).bit.number == 7)
        }
    }

    @Test("the trigger refuses raw updates of client_id and bit_number, and allows is_disabled")
    func triggerGuardsIdentity() async throws {
        try await PostgresTesting.withStore { store in
            _ = try await store.addClient(id: "alpha", bit: ClientBit(1))
            let clients = "\(store.prefix)clients"
            for change in ["bit_number = 5", "client_id = 'omega'"] {
                do {
                    try await PostgresTesting.execute("UPDATE \(clients) SET \(change) WHERE client_id = 'alpha'", on: store)
                    Issue.record("UPDATE ... SET \(change) was not refused")
                } catch {
                    #expect(String(reflecting: error).contains("remove the client and add it again"))
                }
            }
            try await PostgresTesting.execute("UPDATE \(clients) SET is_disabled = true WHERE client_id = 'alpha'", on: store)
            #expect(try await store.clients() == [ClientRecord(clientId: "alpha", bit: try #require(ClientBit(1)), isDisabled: true)])
        }
    }

    @Test("watchClients yields the table at start and after a raw SQL change, long before its poll")
    func watchSeesRawChanges() async throws {
        try await PostgresTesting.withStore { store in
            _ = try await store.addClient(id: "alpha", bit: nil)
            // A long poll interval: only the trigger's NOTIFY can deliver the change in time.
            let seen = SharedValue<[[ClientRecord]]>([])
            let watcher = Task {
                for try await table in store.watchClients(pollInterval: .seconds(60)) { seen.value.append(table) }
            }
            try await waitUntil(seconds: 30) { seen.value.count == 1 }
            #expect(seen.value.first?.map(\.clientId) == ["alpha"])
            // Wait until the store's session is listening on the clients channel (a fixed pause
            // was too short while the whole suite ran on two cores).
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let rows = try await store.withConnection("looking for the listener") { connection in
                    try await connection.run(
                        "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE \("LISTEN%" + store.prefix.value + "%")", logger: PostgresTesting.logger
                    )
                }
                if try rows.first?.decode(Int.self) ?? 0 > 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await PostgresTesting.execute("INSERT INTO \(store.prefix)clients VALUES ('beta', 9, true)", on: store)
            // Well below the 60 s poll, so only the NOTIFY can deliver it, with room for a
            // loaded machine.
            try await waitUntil(seconds: 20) { seen.value.count == 2 }
            #expect(seen.value.last == [
                ClientRecord(clientId: "alpha", bit: try #require(ClientBit(0)), isDisabled: false),
                ClientRecord(clientId: "beta", bit: try #require(ClientBit(9)), isDisabled: true),
            ])
            // No change, no yield: a disable/enable round trip yields twice, nothing else.
            try await PostgresTesting.execute("UPDATE \(store.prefix)clients SET is_disabled = false WHERE client_id = 'beta'", on: store)
            try await waitUntil(seconds: 20) { seen.value.count == 3 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(seen.value.count == 3)
            watcher.cancel()
        }
    }

    @Test("watchClients also polls: a change whose NOTIFY is lost is seen after pollInterval")
    func watchPolls() async throws {
        try await PostgresTesting.withStore { store in
            try await PostgresTesting.execute("ALTER TABLE \(store.prefix)clients DISABLE TRIGGER \(store.prefix)clients_notify", on: store)
            let seen = SharedValue<[[ClientRecord]]>([])
            let watcher = Task {
                for try await table in store.watchClients(pollInterval: .milliseconds(100)) { seen.value.append(table) }
            }
            try await waitUntil(seconds: 30) { seen.value.count == 1 }
            #expect(seen.value.first == [])
            _ = try await store.addClient(id: "alpha", bit: nil)
            // No NOTIFY (trigger disabled): only the 100 ms poll can deliver it.
            try await waitUntil(seconds: 30) { seen.value.count == 2 }
            #expect(seen.value.last?.map(\.clientId) == ["alpha"])
            watcher.cancel()
        }
    }
}

/// Polls `condition` every 10 ms; fails when it is still false after `seconds`.
func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition still false after \(seconds) s")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
