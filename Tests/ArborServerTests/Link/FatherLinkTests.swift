import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A son linked to its father over HTTP, where only the son opens connections (DESIGN rule 9):
/// loads and follows its slice, sends its own writes up without echo, merges concurrent
/// writes field by field, works standalone while the father is away and resumes after restarts.
/// The father runs on each available backend, the son on SQLite.
@Suite(.serialized, .heavy) struct FatherLinkTests {
    func id(_ n: Int) -> UUID { Fixtures.id(n) }

    /// The father's upload position of son b1, kept per incarnation of the son's database.
    func fatherPositionOfSon(_ pair: LinkedPair) async throws -> Int64? {
        let incarnation = try await SiteIncarnation.current(in: pair.son.store)
        return try await pair.father.position(LinkServer.appliedKey(son: "b1", incarnation: incarnation))
    }

    /// Waits until each site has applied everything the other sent it.
    func settled(_ pair: LinkedPair) async throws {
        try await eventually("the sites exchanged everything") {
            let fatherLast = try await pair.father.store.lastSequence()
            let sonLast = try await pair.son.store.lastSequence()
            let sonApplied = try await pair.son.position(FatherLink.appliedKey) ?? -1
            let fatherApplied = try await fatherPositionOfSon(pair) ?? 0
            return sonApplied == fatherLast && fatherApplied == sonLast
        }
    }

    @Test(arguments: TestStores.available)
    func sonLoadsItsSliceAndFollowsTheFather(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend, beforeSon: { father in
            try await father.create(id(1), name: "a1", topics: ",A,")
            try await father.create(id(2), name: "b2", topics: ",B,")
        }) { pair in
            let son = pair.son
            try await eventually("the son's full load") { try await son.field("name", of: id(1)) == .text("a1") }
            #expect(try await son.customer(id(2)) == nil, "B is outside the son's slice")
            #expect(son.link?.counters.fullLoads == 1)

            try await pair.father.create(id(3), name: "a3")
            try await pair.father.update(id(1), ["name": .text("a1 renamed")])
            try await eventually("later changes") {
                let created = try await son.field("name", of: id(3))
                let renamed = try await son.field("name", of: id(1))
                return created == .text("a3") && renamed == .text("a1 renamed")
            }
            try await eventually("connected to the center through the father") { son.connection.isConnected }
            #expect(son.context.connectedToCenter(), "the son tells its own edges (§8.2)")
            #expect(son.control.statuses(of: FatherLink.statusSubsystem).last == "connected")
            #expect(pair.father.control.statuses(of: "son b1") == ["connected"])
            try await settled(pair)
        }
    }

    @Test(arguments: TestStores.available)
    func sonWritesGoUpAndNeverEchoBack(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend) { pair in
            let (father, son) = (pair.father, pair.son)
            try await son.create(id(10), name: "s10")
            try await son.create(id(11), name: "s11", topics: ",Z,")
            try await eventually("the son's creates reach the father") {
                let first = try await father.field("name", of: id(10))
                let second = try await father.field("name", of: id(11))
                return first == .text("s10") && second == .text("s11")
            }
            let fatherCreate = try #require(try await father.loggedDeltas().first { $0.operation == .create && $0.techId == id(10) })
            #expect(fatherCreate.topics.contains(SiteTopics.negation(son: "b1")))
            let sonAtFather = RoutingClient.registered(
                ClientBit(0)!, slice: try TopicsSlice(parsing: testLinkSettings(father: "").linkSlice), namingTopic: SiteTopics.naming(son: "b1")
            )
            #expect(DeltaRouter.route(fatherCreate, to: sonAtFather, registration: .synchronized) == .skip(.fromThisSon))

            try await son.update(id(10), ["email": .text("s10@branch")])
            try await eventually("the son's update reaches the father") { try await father.field("email", of: id(10)) == .text("s10@branch") }
            try await settled(pair)
            // The son records what the father acknowledged, so log trimming keeps everything after it.
            let sonLast = try await son.store.lastSequence()
            try await eventually("the son records the father's acknowledgement of its whole log") {
                try await son.position(FatherLink.uploadedKey) == sonLast
            }
            let own = try await son.loggedDeltas().filter { $0.techId == id(10) }.map(\.operation)
            #expect(own == [.create, .partial, .full], "the son's log holds its own writes only: nothing came back")

            // The son holds s11 outside its slice: the father registered it, so changes still come down.
            try await father.update(id(11), ["name": .text("s11 from father")])
            try await eventually("a registered entity outside the slice follows") { try await son.field("name", of: id(11)) == .text("s11 from father") }
        }
    }

    @Test(arguments: TestStores.available)
    func concurrentWritesMergeFieldByFieldAtBothSites(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend, throughRelay: true, beforeSon: { father in
            try await father.create(id(20), name: "original")
        }) { pair in
            let (father, son) = (pair.father, pair.son)
            let relay = try #require(pair.relay)
            try await eventually("the son loaded the entity") { try await son.field("name", of: id(20)) == .text("original") }

            relay.cut()
            try await father.update(id(20), ["name": .text("F"), "email": .text("f@center")])
            try await son.update(id(20), ["name": .text("S"), "creditLimit": .double(5)])
            relay.heal()
            for site in [father, son] {
                try await eventually("\(site.store.siteName): both fields survive, the later name wins") {
                    let state = try await site.customer(id(20))
                    return state?.fields["name"]?.value == .text("S") && state?.fields["email"]?.value == .text("f@center")
                        && state?.fields["creditLimit"]?.value == .double(5)
                }
            }

            relay.cut()
            try await son.update(id(20), ["name": .text("S2")])
            try await father.update(id(20), ["name": .text("F2")])
            relay.heal()
            for site in [father, son] {
                try await eventually("\(site.store.siteName): the father's later name wins") { try await site.field("name", of: id(20)) == .text("F2") }
            }
            try await settled(pair)
            let atFather = try #require(try await father.customer(id(20)))
            let atSon = try #require(try await son.customer(id(20)))
            #expect(atFather.fields == atSon.fields, "same values and same field times at both sites")
        }
    }

    @Test(arguments: TestStores.available)
    func sonWorksStandaloneAndCatchesUp(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend) { pair in
            let son = pair.son
            try await eventually("connected") { son.connection.isConnected }
            await pair.stopFather()
            try await eventually("the son notices the father is away") { !son.connection.isConnected }
            #expect(son.control.statuses(of: FatherLink.statusSubsystem).last == "disconnected")
            try await son.create(id(30), name: "s30")
            try await son.create(id(31), name: "s31")
            try await son.update(id(30), ["email": .text("written standalone")])
            #expect(try await son.field("email", of: id(30)) == .text("written standalone"), "the son keeps taking writes")

            try await pair.startFather()
            let father = pair.father
            try await eventually("the queued writes reach the father") {
                let email = try await father.field("email", of: id(30))
                let name = try await father.field("name", of: id(31))
                return email == .text("written standalone") && name == .text("s31")
            }
            try await father.create(id(32), name: "a32")
            try await eventually("the son follows the restarted father") { try await son.field("name", of: id(32)) == .text("a32") }
            try await eventually("connected again") { son.connection.isConnected }
            try await settled(pair)
        }
    }

    @Test(arguments: TestStores.available)
    func restartedSonResumesWithoutApplyingAgain(father backend: TestStores.Backend) async throws {
        try await LinkedPair.run(father: backend, beforeSon: { father in
            try await father.create(id(40), name: "a40")
        }) { pair in
            try await pair.son.create(id(41), name: "s41")
            try await eventually("exchanged") {
                let up = try await pair.father.customer(id(41))
                let down = try await pair.son.customer(id(40))
                return up != nil && down != nil
            }
            try await settled(pair)
            let sonLast = try await pair.son.store.lastSequence()
            let fatherLast = try await pair.father.store.lastSequence()
            let fatherPosition = try await fatherPositionOfSon(pair)

            try await pair.restartSon()
            let son = pair.son
            try await eventually("the new link connects") { son.connection.isConnected }
            let counters = try #require(son.link?.counters)
            #expect(counters.skipLoads == 1 && counters.fullLoads == 0 && counters.syncLoads == 0, "\(counters)")
            #expect(counters.appliedBuffers == 0, "nothing the son had applied came again")
            #expect(try await son.store.lastSequence() == sonLast)
            #expect(try await pair.father.store.lastSequence() == fatherLast)
            #expect(try await fatherPositionOfSon(pair) == fatherPosition)

            try await pair.father.update(id(40), ["name": .text("after restart")])
            try await eventually("new changes follow") { try await son.field("name", of: id(40)) == .text("after restart") }
            #expect((son.link?.counters.appliedBuffers ?? 0) >= 1)
        }
    }

    @Test func anEntityTheSonLacksIsLoadedWhole() async throws {
        try await LinkedPair.run(father: .sqlite, beforeSon: { father in
            try await father.create(id(60), name: "a60")
        }) { pair in
            let son = pair.son
            try await eventually("loaded") { try await son.customer(id(60)) != nil }
            // A local purge (maintenance) removes the entity at the son only; the father still
            // counts the son as synchronized on it and sends the next change as a PARTIAL.
            try await son.context.entities.write([EntityWrite(.purge, entityClass: "Customer", techId: id(60))])
            #expect(try await son.customer(id(60)) == nil)
            let loadsBefore = son.link?.counters.syncLoads ?? 0
            try await pair.father.update(id(60), ["email": .text("after purge")])
            try await eventually("the son loads the whole entity again") {
                let state = try await son.customer(id(60))
                return state?.fields["email"]?.value == .text("after purge") && state?.fields["name"]?.value == .text("a60")
            }
            #expect((son.link?.counters.syncLoads ?? 0) == loadsBefore + 1, "one registering sync-load of the missing entity")
        }
    }

    /// An entity recorded as missing (its change applied, the link stopped before loading it:
    /// a cut or a kill) is loaded on the link's next answer, and the record is cleared.
    @Test func aRecordedMissingEntityIsLoadedOnTheNextAnswer() async throws {
        try await LinkedPair.run(father: .sqlite, beforeSon: { father in
            try await father.create(id(62), name: "a62")
        }) { pair in
            let son = pair.son
            try await eventually("loaded") { try await son.customer(id(62)) != nil }
            try await son.context.entities.write([EntityWrite(.purge, entityClass: "Customer", techId: id(62))])
            var missing = PendingEntities()
            missing.insert(EntityKey("Customer", id(62)), at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()))
            try await son.store.setSiteState(FatherLink.missingEntitiesKey, missing.text)
            try await pair.father.create(id(63), name: "a63")
            try await eventually("the recorded entity is loaded again") { try await son.customer(id(62))?.fields["name"]?.value == .text("a62") }
            try await eventually("the record is cleared") { try await son.store.siteState(FatherLink.missingEntitiesKey) == "" }
        }
    }

    @Test func schemaMismatchIsRefusedAndNothingApplied() async throws {
        let other = try DistributionSchema(name: "retail-v2", classes: Fixtures.retailSchema.classes)
        try await LinkedPair.run(father: .sqlite, sonSchema: other, beforeSon: { father in
            try await father.create(id(50), name: "a50")
        }) { pair in
            let son = pair.son
            try await son.create(id(51), name: "s51")
            try await eventually("the refusal is reported") {
                son.control.statuses(of: FatherLink.statusSubsystem).contains { $0.hasPrefix("refused: SchemaMismatch") }
            }
            try await eventually("the link keeps retrying") { (son.link?.counters.refusals ?? 0) >= 2 }
            #expect(try await son.customer(id(50)) == nil)
            #expect(try await pair.father.customer(id(51)) == nil)
            #expect(try await son.position(FatherLink.appliedKey) == nil)
            #expect(try await fatherPositionOfSon(pair) == nil)
            #expect(!son.connection.isConnected)
        }
    }
}
