import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let clientChecks: [Check] = [
        Check(name: "clients table: automatic bits, conflicts, disable, enable, remove") { backend in
            try await TestStores.withStore(backend) { store in
                let first = try await store.addClient(id: "branch-1", bit: nil)
                let second = try await store.addClient(id: "branch-2", bit: ClientBit(5))
                let third = try await store.addClient(id: "branch-3", bit: nil)
                try require(first.bit.number == 0 && second.bit.number == 5 && third.bit.number == 1, "bits \(first.bit), \(second.bit), \(third.bit)")
                try await requireStoreError(.conflict, "duplicate id") { try await store.addClient(id: "branch-1", bit: nil) }
                try await requireStoreError(.conflict, "bit in use") { try await store.addClient(id: "branch-9", bit: ClientBit(5)) }
                try await requireStoreError(.invalidInput, "empty id") { try await store.addClient(id: "", bit: nil) }
                try await requireStoreError(.invalidInput, "65-character id") { try await store.addClient(id: String(repeating: "x", count: 65), bit: nil) }
                // A son's id names its site topics: ids follow the topic name rules (issue 11 item 7).
                for bad in ["a b", "x,y", "#arbor", "p+q", "n!", "TimeWindow3600"] {
                    try await requireStoreError(.invalidInput, "id '\(bad)'") { try await store.addClient(id: bad, bit: nil) }
                }
                try require(try await store.clients().count == 3, "a refused id was stored")
                try await store.setClientDisabled(id: "branch-2", disabled: true)
                try require(try await store.clients().first { $0.clientId == "branch-2" }?.isDisabled == true, "disable did not stick")
                try await store.setClientDisabled(id: "branch-2", disabled: false)
                try require(try await store.clients().first { $0.clientId == "branch-2" }?.isDisabled == false, "enable did not stick")
                try await requireStoreError(.notFound, "disable unknown") { try await store.setClientDisabled(id: "nobody", disabled: true) }
                try await store.removeClient(id: "branch-1")
                try await requireStoreError(.notFound, "remove unknown") { try await store.removeClient(id: "branch-1") }
                let reused = try await store.addClient(id: "branch-4", bit: nil)
                try require(reused.bit.number == 0, "a removed client's bit was not reused (got \(reused.bit))")
                for n in 0..<61 { _ = try await store.addClient(id: "filler-\(n)", bit: nil) }
                try require(try await store.clients().count == 64, "table should hold 64 clients")
                try await requireStoreError(.conflict, "65th client") { try await store.addClient(id: "one-too-many", bit: nil) }
                let bits = try await store.clients().map(\.bit.number)
                try require(bits == Array(0...63), "clients are not ordered by bit: \(bits)")
            }
        },
        Check(name: "client secret hashes: set, read back, watched, cleared, unknown id") { backend in
            try await TestStores.withStore(backend) { store in
                let added = try await store.addClient(id: "branch-1", bit: nil)
                try require(added.secretHash == nil, "a new client has a secret hash")
                try require(try await store.clients().first?.secretHash == nil, "a new row has a secret hash")
                var iterator = store.watchClients(pollInterval: .milliseconds(100)).makeAsyncIterator()
                _ = try await iterator.next()
                let hash = "pbkdf2-sha256$1$00ff$" + String(repeating: "ab", count: 32)
                try await store.setClientSecretHash(id: "branch-1", hash: hash)
                try require(try await store.clients().first?.secretHash == hash, "the hash did not round-trip")
                let watched = try await iterator.next()
                try require(watched?.first?.secretHash == hash, "the watch did not yield the hash")
                try await store.setClientDisabled(id: "branch-1", disabled: true)
                try require(try await store.clients().first?.secretHash == hash, "disabling lost the hash")
                try await store.setClientSecretHash(id: "branch-1", hash: nil)
                try require(try await store.clients().first?.secretHash == nil, "clearing did not stick")
                try await requireStoreError(.notFound, "secret of unknown") { try await store.setClientSecretHash(id: "nobody", hash: hash) }
                let withSecret = try await store.addClient(id: "branch-2", bit: nil, secretHash: hash)
                try require(withSecret.secretHash == hash, "the added record lacks its hash")
                try require(try await store.clients().first { $0.clientId == "branch-2" }?.secretHash == hash, "a client added with a hash was stored without it")
                try await store.install(upgradingSchema: false)
                try require(try await store.clients().map(\.clientId) == ["branch-1", "branch-2"], "reinstalling changed the table")
            }
        },
        Check(name: "client roles: application by default, son when added so, changed, watched, unknown id") { backend in
            try await TestStores.withStore(backend) { store in
                let application = try await store.addClient(id: "shop", bit: nil)
                let son = try await store.addClient(id: "branch-1", bit: nil, role: .son)
                try require(application.role == .application && son.role == .son, "added records: \(application.role), \(son.role)")
                try require(try await store.clients().map(\.role) == [.application, .son], "roles did not round-trip")
                var iterator = store.watchClients(pollInterval: .milliseconds(100)).makeAsyncIterator()
                _ = try await iterator.next()
                try await store.setClientRole(id: "shop", role: .son)
                try require(try await iterator.next()?.first?.role == .son, "the watch did not yield the role change")
                try await store.setClientRole(id: "shop", role: .application)
                try require(try await store.clients().first?.role == .application, "the role change did not stick")
                try await requireStoreError(.notFound, "role of unknown") { try await store.setClientRole(id: "nobody", role: .son) }
                try await store.install(upgradingSchema: false)
                try require(try await store.clients().map(\.role) == [.application, .son], "reinstalling changed the roles")
            }
        },
        Check(name: "watchClients yields the table at start and after a change") { backend in
            try await TestStores.withStore(backend) { store in
                _ = try await store.addClient(id: "a", bit: nil)
                var iterator = store.watchClients(pollInterval: .milliseconds(100)).makeAsyncIterator()
                let initial = try await iterator.next()
                try require(initial?.map(\.clientId) == ["a"], "initial yield \(String(describing: initial))")
                try await store.setClientDisabled(id: "a", disabled: true)
                let changed = try await iterator.next()
                try require(changed?.first?.isDisabled == true, "change not seen: \(String(describing: changed))")
            }
        },
    ]

    static let stateChecks: [Check] = [
        Check(name: "registrations are saved, loaded, cleared per bit, and empty masks vanish") { backend in
            try await TestStores.withStore(backend) { store in
                let high = ClientBit(63)!, low = ClientBit(0)!
                var masks = RegistrationMasks()
                masks.set(.synchronized, for: high)
                masks.set(.unsynchronized, for: low)
                var other = RegistrationMasks()
                other.set(.synchronized, for: low)
                try await store.saveRegistrations([Fixtures.id(1): masks, Fixtures.id(2): other])
                let loaded = try await store.registrations([Fixtures.id(1), Fixtures.id(2), Fixtures.id(3)])
                try require(loaded == [Fixtures.id(1): masks, Fixtures.id(2): other], "loaded \(loaded)")
                try await store.clearRegistrations(bit: low)
                let cleared = try await store.registrations([Fixtures.id(1), Fixtures.id(2)])
                try require(cleared[Fixtures.id(1)]?.state(of: high) == .synchronized && cleared[Fixtures.id(1)]?.state(of: low) == .unregistered, "bit 0 not cleared")
                try require(cleared[Fixtures.id(2)] == nil, "an emptied mask is still stored")
                try await store.saveRegistrations([Fixtures.id(1): .none])
                try require(try await store.registrations([Fixtures.id(1)]).isEmpty, "saving an empty mask did not delete it")
            }
        },
        Check(name: "registeredTechIds lists the entities a bit is registered on, synchronized or not, and no others") { backend in
            try await TestStores.withStore(backend) { store in
                let high = ClientBit(63)!, low = ClientBit(0)!, unused = ClientBit(7)!
                try await store.setRegistrations([Fixtures.id(1): .synchronized, Fixtures.id(2): .unsynchronized], for: high)
                try await store.setRegistrations([Fixtures.id(2): .synchronized, Fixtures.id(3): .synchronized], for: low)
                // Past one statement's slice of rows: the answer is not cut at a batch border.
                let many = Dictionary(uniqueKeysWithValues: (100..<1_100).map { (Fixtures.id($0), RegistrationState.unsynchronized) })
                try await store.setRegistrations(many, for: low)
                let highIds = try await store.registeredTechIds(bit: high)
                try require(highIds == [Fixtures.id(1), Fixtures.id(2)], "bit 63 (the sign bit of the stored mask): \(highIds)")
                let lowIds = try await store.registeredTechIds(bit: low)
                try require(lowIds == Set([Fixtures.id(2), Fixtures.id(3)]).union(many.keys), "bit 0: \(lowIds.count) ids")
                try require(try await store.registeredTechIds(bit: unused).isEmpty, "a bit no one holds lists entities")
                try await store.setRegistrations([Fixtures.id(1): .unregistered], for: high)
                try require(try await store.registeredTechIds(bit: high) == [Fixtures.id(2)], "an unregistered entity is still listed")
                try await store.clearRegistrations(bit: low)
                try require(try await store.registeredTechIds(bit: low).isEmpty, "a cleared bit still lists entities")
                try require(try await store.registeredTechIds(bit: high) == [Fixtures.id(2)], "clearing bit 0 changed bit 63")
            }
        },
        Check(name: "concurrent changes of different client bits on one entity all survive") { backend in
            try await TestStores.withStore(backend) { store in
                let entities = (1...6).map(Fixtures.id)
                // Eight clients (as if at several server processes) change the same entities at once.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in 0..<8 {
                        let bit = ClientBit(number)!
                        let state: RegistrationState = number.isMultiple(of: 2) ? .synchronized : .unsynchronized
                        group.addTask { try await store.setRegistrations(Dictionary(uniqueKeysWithValues: entities.map { ($0, state) }), for: bit) }
                    }
                    try await group.waitForAll()
                }
                let stored = try await store.registrations(Set(entities))
                for entity in entities {
                    for number in 0..<8 {
                        let expected: RegistrationState = number.isMultiple(of: 2) ? .synchronized : .unsynchronized
                        try require(stored[entity]?.state(of: ClientBit(number)!) == expected, "bit \(number) on \(entity): \(String(describing: stored[entity]))")
                    }
                }
                let onlyFirst = entities[0]
                for number in 0..<8 { try await store.setRegistrations([onlyFirst: .unregistered], for: ClientBit(number)!) }
                let after = try await store.registrations(Set(entities))
                try require(after[onlyFirst] == nil, "a mask emptied bit by bit is still stored")
                try require(after.count == entities.count - 1, "unregistering one entity touched others: \(after.count)")
            }
        },
        Check(name: "two table prefixes in one database do not see each other") { backend in
            let place = try TestStores.place(backend)
            let one = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "one")
            let two = try await TestStores.open(place, prefix: TestStores.randomPrefix(), siteName: "two")
            do {
                try await EntitiesSubsystem(store: one).write([Samples.customerCreate(id: Fixtures.id(1))])
                _ = try await one.addClient(id: "only-in-one", bit: nil)
                try await one.setSiteState("father", "x")
                let twoSequence = try await two.lastSequence()
                let twoLog = try await two.readLog(after: 0, limit: 10)
                try require(twoSequence == 0 && twoLog.isEmpty, "log leaked")
                try require(try await two.entities([EntityKey("Customer", Fixtures.id(1))]).isEmpty, "entity leaked")
                try require(try await two.clients().isEmpty, "client leaked")
                try require(try await two.siteState("father") == nil, "site state leaked")
            } catch {
                await TestStores.remove(two, place)
                await TestStores.remove(one, place)
                throw error
            }
            await TestStores.remove(two, place)
            await TestStores.remove(one, place)
        },
    ]
}
