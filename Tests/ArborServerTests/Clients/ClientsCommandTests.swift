import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `arbor clients` end to end: the real executable against a fresh database of each backend.
@Suite(.heavy) struct ClientsCommandTests {
    /// Runs `body` with an installed store and a function running `arbor clients` against it.
    private func withSite(
        _ backend: TestStores.Backend,
        _ body: (any SiteStore, _ clients: @escaping ([String]) async throws -> ArborCommand.Run) async throws -> Void
    ) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        do {
            try await body(store) { arguments in try await ArborCommand.clients(arguments, at: place, prefix: prefix) }
        } catch {
            await TestStores.remove(store, place)
            throw error
        }
        await TestStores.remove(store, place)
    }

    @Test(arguments: TestStores.available)
    func addsListsAndRefusesWithClearMessages(backend: TestStores.Backend) async throws {
        try await withSite(backend) { store, clients in
            let empty = try await clients(["list"])
            #expect(empty.status == 0, "\(empty)")
            #expect(empty.output.contains("CLIENT ID") && empty.output.contains("0 clients (0 disabled), 64 bits free"), "\(empty)")

            let shop = try await clients(["add", "shop"])
            #expect(shop.status == 0 && shop.output.contains("added client 'shop' with bit 0"), "\(shop)")
            let branch = try await clients(["add", "branch-7", "--bit", "5"])
            #expect(branch.status == 0 && branch.output.contains("added client 'branch-7' with bit 5"), "\(branch)")
            let auto = try await clients(["add", "kiosk"])
            #expect(auto.status == 0 && auto.output.contains("with bit 1"), "the lowest free bit: \(auto)")

            let duplicate = try await clients(["add", "shop", "--bit", "9"])
            #expect(duplicate.status == 1, "\(duplicate)")
            #expect(duplicate.errors.contains("client 'shop' already exists"), "\(duplicate)")
            let taken = try await clients(["add", "till", "--bit", "5"])
            #expect(taken.status == 1, "\(taken)")
            #expect(taken.errors.contains("bit 5 is already used by client 'branch-7'"), "\(taken)")
            for bad in ["64", "-1"] {
                let outOfRange = try await clients(["add", "till", "--bit", bad])
                #expect(outOfRange.status == 64, "a usage error: \(outOfRange)")
                #expect(outOfRange.errors.contains("--bit \(bad) is out of range: a client bit is 0 to 63"), "\(outOfRange)")
            }
            let longId = try await clients(["add", String(repeating: "x", count: 65)])
            #expect(longId.status == 64 && longId.errors.contains("1 to 64 characters"), "\(longId)")

            #expect(try await store.clients() == [
                ClientRecord(clientId: "shop", bit: ClientBit(0)!, isDisabled: false),
                ClientRecord(clientId: "kiosk", bit: ClientBit(1)!, isDisabled: false),
                ClientRecord(clientId: "branch-7", bit: ClientBit(5)!, isDisabled: false),
            ])
            let listed = try await clients(["list"])
            #expect(listed.status == 0, "\(listed)")
            let rows = listed.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.first == ["CLIENT", "ID", "BIT", "ROLE", "STATE"], "\(listed)")
            #expect(rows.dropFirst().prefix(3).map { $0 } == [["shop", "0", "application", "enabled"], ["kiosk", "1", "application", "enabled"], ["branch-7", "5", "application", "enabled"]], "\(listed)")
            #expect(listed.output.contains("3 clients (0 disabled), 61 bits free"), "\(listed)")
        }
    }

    /// Issue 11 item 3: `--role` (default application), `set-role`, and the role in the list.
    @Test(arguments: TestStores.available)
    func rolesAreAddedListedChangedAndValidated(backend: TestStores.Backend) async throws {
        try await withSite(backend) { store, clients in
            let son = try await clients(["add", "east", "--role", "son"])
            #expect(son.status == 0 && son.output.contains("added client 'east' with bit 0, role son"), "\(son)")
            let application = try await clients(["add", "shop"])
            #expect(application.status == 0 && application.output.contains("role application"), "the default role: \(application)")
            let explicit = try await clients(["add", "kiosk", "--role", "application"])
            #expect(explicit.status == 0, "\(explicit)")
            for bad in ["boss", "Son", ""] {
                let refused = try await clients(["add", "till", "--role", bad])
                #expect(refused.status == 64, "a usage error: \(refused)")
                #expect(refused.errors.contains("is not a role: give application") && refused.errors.contains("or son"), "\(refused)")
            }
            #expect(try await store.clients().map(\.clientId) == ["east", "shop", "kiosk"], "a refused role stored a row")
            #expect(try await store.clients().map(\.role) == [.son, .application, .application])
            let listed = try await clients(["list"])
            let rows = listed.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.dropFirst().prefix(2).map { $0 } == [["east", "0", "son", "enabled"], ["shop", "1", "application", "enabled"]], "\(listed)")

            let changed = try await clients(["set-role", "shop", "son"])
            #expect(changed.status == 0 && changed.output.contains("client 'shop' is now of the son role"), "\(changed)")
            #expect(try await store.clients().first { $0.clientId == "shop" }?.role == .son)
            let badRole = try await clients(["set-role", "shop", "father"])
            #expect(badRole.status == 64 && badRole.errors.contains("is not a role"), "\(badRole)")
            #expect(try await store.clients().first { $0.clientId == "shop" }?.role == .son, "a refused role changed the row")
            let unknown = try await clients(["set-role", "nobody", "son"])
            #expect(unknown.status == 1 && unknown.errors.contains("no client 'nobody' in the clients table"), "\(unknown)")
        }
    }

    @Test func theSixtyFifthClientIsRefused() async throws {
        try await withSite(.sqlite) { store, clients in
            for n in 0..<63 { _ = try await store.addClient(id: "c\(n)", bit: nil) }
            let last = try await clients(["add", "c63"])
            #expect(last.status == 0 && last.output.contains("with bit 63"), "\(last)")
            let full = try await clients(["add", "one-too-many"])
            #expect(full.status == 1, "\(full)")
            #expect(full.errors.contains("the clients table is full (all 64 bits are in use)"), "\(full)")
            #expect(try await store.clients().count == 64)
        }
    }

    @Test(arguments: TestStores.available)
    func disablesEnablesAndNamesUnknownClients(backend: TestStores.Backend) async throws {
        try await withSite(backend) { store, clients in
            _ = try await store.addClient(id: "shop", bit: ClientBit(3))
            let disabled = try await clients(["disable", "shop"])
            #expect(disabled.status == 0 && disabled.output.contains("disabled client 'shop'"), "\(disabled)")
            #expect(try await store.clients().first?.isDisabled == true)
            let listed = try await clients(["list"])
            #expect(listed.output.contains("shop       3    application  disabled"), "\(listed)")
            #expect(listed.output.contains("1 client (1 disabled), 63 bits free"), "\(listed)")

            let enabled = try await clients(["enable", "shop"])
            #expect(enabled.status == 0 && enabled.output.contains("enabled client 'shop'"), "\(enabled)")
            #expect(try await store.clients().first?.isDisabled == false)

            for command in ["disable", "enable", "remove"] {
                let unknown = try await clients([command, "nobody"])
                #expect(unknown.status == 1, "\(unknown)")
                #expect(unknown.errors.contains("no client 'nobody' in the clients table"), "\(unknown)")
                #expect(unknown.errors.contains("`arbor clients list` shows the clients"), "\(unknown)")
            }
        }
    }

    @Test(arguments: TestStores.available)
    func removeClearsRegistrationsSoTheBitStartsClean(backend: TestStores.Backend) async throws {
        try await withSite(backend) { store, clients in
            let old = try await store.addClient(id: "old", bit: ClientBit(7))
            let other = try await store.addClient(id: "other", bit: ClientBit(8))
            let registrations = RegistrationTable(store: store)
            let entities: Set<UUID> = [Fixtures.id(1), Fixtures.id(2)]
            try await registrations.set(Dictionary(uniqueKeysWithValues: entities.map { ($0, .synchronized) }), for: old.bit)
            try await registrations.set([Fixtures.id(1): .unsynchronized], for: other.bit)
            try await registrations.markKnown(old.bit)
            try await registrations.markKnown(other.bit)

            let removed = try await clients(["remove", "old"])
            #expect(removed.status == 0, "\(removed)")
            #expect(removed.output.contains("removed client 'old' and cleared its registrations; bit 7 is free"), "\(removed)")
            #expect(try await store.clients().map(\.clientId) == ["other"])
            let masks = try await store.registrations(entities)
            #expect(masks.values.allSatisfy { $0.state(of: old.bit) == .unregistered }, "\(masks)")
            #expect(masks[Fixtures.id(1)]?.state(of: other.bit) != .unregistered, "other clients keep theirs")
            let fresh = RegistrationTable(store: store)
            #expect(try await fresh.isKnown(old.bit) == false)
            #expect(try await fresh.isKnown(other.bit))

            let readded = try await clients(["add", "new", "--bit", "7"])
            #expect(readded.status == 0 && readded.output.contains("added client 'new' with bit 7"), "\(readded)")
        }
    }

    @Test func anUninitializedDatabaseSaysToRunInit() async throws {
        let place = try TestStores.place(.sqlite)
        defer { if let path = place.sqlitePath { try? FileManager.default.removeItem(atPath: path) } }
        let run = try await ArborCommand.clients(["list"], at: place, prefix: TestStores.randomPrefix())
        #expect(run.status == 1, "\(run)")
        #expect(run.errors.contains("no SQLite database at") && run.errors.contains("arbor init"), "\(run)")
        #expect(place.sqlitePath.map { !FileManager.default.fileExists(atPath: $0) } == true, "only `arbor init` creates the file")
    }
}
