import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Logging
import Synchronization
import Testing

/// What the servers act on when the clients table changes, and the watcher that acts.
@Suite struct ClientWatcherTests {
    private static func record(_ id: String, _ bit: Int, disabled: Bool = false) -> ClientRecord {
        ClientRecord(clientId: id, bit: ClientBit(bit)!, isDisabled: disabled)
    }

    @Test func aChangeNamesRemovedDisabledAndEnabledClients() {
        let old = [Self.record("a", 0), Self.record("b", 1), Self.record("c", 2, disabled: true), Self.record("d", 3), Self.record("e", 4)]
        let new = [
            Self.record("b", 1, disabled: true), Self.record("c", 2), Self.record("d", 9), Self.record("e", 4),
            Self.record("f", 0, disabled: true), Self.record("g", 5),
        ]
        let change = ClientTableChange(from: old, to: new)
        #expect(change.removed == [Self.record("a", 0), Self.record("d", 3)], "gone, or the id now holds another bit")
        #expect(change.disabled == [Self.record("f", 0, disabled: true), Self.record("b", 1, disabled: true)])
        #expect(change.enabled == [Self.record("c", 2)])
        #expect(ClientTableChange(from: new, to: new) == ClientTableChange(from: [], to: []))
    }

    @Test func theCutOffRuleFollowsTheRow() {
        let admitted = Self.record("a", 3)
        #expect(ClientDirectory.cutOff(of: admitted, current: admitted) == nil)
        #expect(ClientDirectory.cutOff(of: admitted, current: Self.record("a", 3, disabled: true)) == .disabled)
        #expect(ClientDirectory.cutOff(of: admitted, current: nil) == .removed)
        #expect(ClientDirectory.cutOff(of: admitted, current: Self.record("a", 4)) == .removed)
    }

    @Test func aRemovedClientLosesItsSessionAndWhatThisProcessKnewOfItsBit() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let logger = Logger(label: "test.watcher", factory: { _ in SwiftLogNoOpLogHandler() })
            let directory = ClientDirectory(store: store, pollInterval: .milliseconds(50), logger: logger)
            let registrations = RegistrationTable(store: store)
            let forgotten = Mutex<[String]>([])
            let watcher = ClientWatcher(clients: directory, registrations: registrations, logger: logger) { id in
                forgotten.withLock { $0.append(id) }
            }
            let a = try await store.addClient(id: "a", bit: nil), b = try await store.addClient(id: "b", bit: nil)
            let entity = Fixtures.id(1)
            try await registrations.set([entity: .synchronized], for: a.bit)
            try await registrations.set([entity: .unsynchronized], for: b.bit)
            try await registrations.markKnown(a.bit)
            #expect(try await registrations.isKnown(a.bit))

            let running = Task {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await directory.run() }
                    group.addTask { try await watcher.run() }
                }
            }
            try await eventually("the directory reads the table", timeout: .seconds(30)) { directory.client("b") != nil }
            try await store.setClientDisabled(id: "b", disabled: true)
            // What `arbor clients remove` does: clear the bit in the database, then delete the row.
            try await RegistrationTable.clearPersisted(a.bit, in: store)
            try await store.removeClient(id: "a")
            try await eventually("the watcher forgets client 'a'", timeout: .seconds(30)) { forgotten.withLock { $0 } == ["a"] }
            #expect(try await registrations.isKnown(a.bit) == false)
            #expect(try await registrations.states(of: a.bit, on: [entity])[entity] == .unregistered)
            #expect(try await registrations.states(of: b.bit, on: [entity])[entity] == .unsynchronized, "other bits are kept")
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test func theDirectoryKeepsItsTableThroughAFailedReadAndWatchesAgain() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let logger = Logger(label: "test.directory", factory: { _ in SwiftLogNoOpLogHandler() })
            let directory = ClientDirectory(store: store, pollInterval: .milliseconds(50), logger: logger)
            _ = try await store.addClient(id: "a", bit: nil)
            let running = Task { try await directory.run() }
            try await eventually("the directory reads the table", timeout: .seconds(30)) { directory.client("a") != nil }
            // The tables vanish (as during a database restore): reads fail for a while.
            try await store.uninstall()
            try await Task.sleep(for: .milliseconds(300))
            #expect(directory.client("a") != nil, "the last table read is kept")
            try await store.install(upgradingSchema: false)
            _ = try await store.addClient(id: "b", bit: nil)
            try await eventually("the directory watches again", timeout: .seconds(30)) { directory.client("b") != nil && directory.client("a") == nil }
            running.cancel()
            _ = try? await running.value
        }
    }
}
