import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// The one routine both ends of a link apply received buffers with: in order, each from the
/// position it was read at, and after a conflict from the re-read position, never twice.
@Suite struct OrderedBufferApplierTests {
    static let position = "link.son.c1.applied"

    /// A son's create of Customer `n` as its log holds it.
    func sonCreate(_ n: Int, sequence: Int64) throws -> DeltaBuffer {
        let delta = try LocalWrite.delta(
            for: Samples.customerCreate(id: Fixtures.id(n), name: "s\(n)"), existing: nil,
            at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
        )
        return Samples.buffer([delta], sequence: sequence, origin: "branch1")
    }

    func applier(_ store: any SiteStore) -> OrderedBufferApplier {
        OrderedBufferApplier(entities: EntitiesSubsystem(store: store), store: store, positionName: Self.position, source: .son(clientId: "c1"))
    }

    func creates(in store: any SiteStore) async throws -> Int {
        try Samples.loggedDeltas(try await store.readLog(after: 0, limit: 10_000), schema: store.schema)
            .joined().filter { $0.operation == .create }.count
    }

    @Test(arguments: TestStores.available)
    func appliesInOrderRecordsEachPositionAndAdvancesToThrough(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let buffers = try [2, 5, 6].map { try sonCreate($0, sequence: Int64($0)) }
            let outcome = try await applier(store).apply(buffers, through: 9)
            #expect(outcome.position == 9 && outcome.applied == 3 && outcome.conflicts == 0)
            #expect(try await store.siteCounter(Self.position) == 9)
            // Sent again (the son did not get the answer): nothing is applied twice.
            let again = try await applier(store).apply(buffers, through: 9)
            #expect(again.position == 9 && again.applied == 0)
            #expect(try await creates(in: store) == 3)
        }
    }

    /// A caller holding a stale position (another process applied meanwhile) gets a conflict,
    /// re-reads, and applies only the buffers beyond the stored position.
    @Test(arguments: TestStores.available)
    func aStalePositionConflictsThenGoesOnFromTheStoredOne(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let buffers = try (1...6).map { try sonCreate($0, sequence: Int64($0)) }
            let first = try await applier(store).apply(Array(buffers.prefix(4)))
            #expect(first.position == 4)
            let stale = try await applier(store).apply(buffers, through: 8, from: 1)
            #expect(stale.conflicts == 1, "the stale start must be refused once")
            #expect(stale.applied == 2 && stale.position == 8)
            #expect(try await creates(in: store) == 6, "each buffer is applied exactly once")
            // A through-position that another process moved meanwhile is re-read, not overwritten.
            let behind = try await applier(store).apply([], through: 7, from: 2)
            #expect(behind.position == 8 && behind.conflicts == 1)
            #expect(try await store.siteCounter(Self.position) == 8, "a lower through-position moved the position back")
        }
    }

    /// Two store objects on one database (two server processes) apply the same buffers at once.
    @Test(arguments: TestStores.available)
    func twoProcessesApplyingTheSameBuffersApplyEachOnce(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let one = try await TestStores.open(place, prefix: prefix)
        let two = try await TestStores.open(place, prefix: prefix)
        do {
            let buffers = try (1...20).map { try sonCreate($0, sequence: Int64($0)) }
            async let atOne = applier(one).apply(buffers, through: 20, from: 0)
            async let atTwo = applier(two).apply(buffers, through: 20, from: 0)
            let outcomes = try await [atOne, atTwo]
            #expect(outcomes.allSatisfy { $0.position == 20 })
            #expect(outcomes.map(\.applied).reduce(0, +) == 20, "\(outcomes)")
            #expect(try await creates(in: one) == 20)
        } catch {
            await two.close()
            await TestStores.remove(one, place)
            throw error
        }
        await two.close()
        await TestStores.remove(one, place)
    }

    /// A son's update of Customer `n`'s name, as its log holds it after its create `created`.
    func sonRename(_ n: Int, to name: String, after created: DeltaBuffer, sequence: Int64) throws -> DeltaBuffer {
        let existing = EntityMerge.apply(created.deltas[0], to: nil, from: .local).state
        let write = EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(n), fields: ["name": .text(name)])
        let delta = try LocalWrite.delta(
            for: write, existing: existing, at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
        )
        return Samples.buffer([delta], sequence: sequence, origin: "branch1")
    }

    /// A backlog drains with one commit per run of buffers, merged in order as one by one
    /// would: 100 buffers make 2 records in this site's log (runs of at most 64), not 100.
    @Test(arguments: TestStores.available)
    func consecutiveBuffersCommitInRunsMergedInOrder(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            var buffers = try (1...99).map { try sonCreate($0, sequence: Int64($0)) }
            buffers.append(try sonRename(1, to: "renamed", after: buffers[0], sequence: 100))
            let outcome = try await applier(store).apply(buffers, through: 120)
            #expect(outcome.position == 120 && outcome.applied == 100 && outcome.conflicts == 0)
            let records = try await store.readLog(after: 0, limit: 10_000)
            #expect(records.count == 2, "runs of \(OrderedBufferApplier.maximumRunBuffers) buffers: \(records.count) records")
            #expect(try await creates(in: store) == 99)
            let renamed = try await store.entities([EntityKey("Customer", Fixtures.id(1))]).first
            #expect(renamed?.fields["name"]?.value == .text("renamed"), "the update later in the run merges after the create")
        }
    }

    /// A buffer refused for an entity this site lacks stops the apply exactly before it, even
    /// inside a run: the buffers before it commit, it and the ones after do not.
    @Test(arguments: TestStores.available)
    func aRefusedBufferInsideARunStopsExactlyBeforeIt(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let absent = try sonCreate(50, sequence: 0)
            let buffers = try [sonCreate(1, sequence: 1), sonCreate(2, sequence: 2), sonRename(50, to: "x", after: absent, sequence: 3), sonCreate(4, sequence: 4)]
            let outcome = try await applier(store).apply(buffers, missingEntities: .refuse(skipping: []))
            #expect(outcome.refusedFor == [EntityKey("Customer", Fixtures.id(50))])
            #expect(outcome.position == 2 && outcome.applied == 2)
            #expect(try await store.siteCounter(Self.position) == 2)
            #expect(try await creates(in: store) == 2)
        }
    }

    /// With `.remember`, the entities a run lacks are written to site state by the run's own
    /// transaction, added to those known before, so a stop before their load loses none.
    @Test(arguments: TestStores.available)
    func rememberedMissingEntitiesCommitWithThePosition(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let absent = try sonCreate(50, sequence: 0)
            let rename = try sonRename(50, to: "x", after: absent, sequence: 2)
            var known = PendingEntities()
            known.insert(EntityKey("Customer", Fixtures.id(70)), at: HybridTimestamp(microseconds: 5))
            let outcome = try await applier(store).apply(
                [try sonCreate(1, sequence: 1), rename], missingEntities: .remember(under: "test.missing", known: known))
            #expect(outcome.position == 2 && outcome.applied == 2)
            let recorded = PendingEntities(text: try await store.siteState("test.missing") ?? "")
            #expect(Set(recorded.entities.keys) == [EntityKey("Customer", Fixtures.id(50)), EntityKey("Customer", Fixtures.id(70))])
            #expect(recorded.entities[EntityKey("Customer", Fixtures.id(50))] == rename.deltas[0].updateTime)
            #expect(PendingEntities(text: recorded.text) == recorded, "the stored text reads back as written")
        }
    }
    /// A run too large for one transaction goes buffer by buffer; each buffer's transaction
    /// writes what the earlier ones found too, so none overwrites an earlier entry.
    @Test(arguments: TestStores.available)
    func rememberedMissingEntitiesSurviveTheBufferByBufferFallback(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            // Long names, so one create is most of a record: room for one in a transaction, not two.
            let longName = String(repeating: "n", count: 4_000)
            func create(_ n: Int) throws -> Delta {
                try LocalWrite.delta(
                    for: Samples.customerCreate(id: Fixtures.id(n), name: longName), existing: nil,
                    at: HybridTimestamp(microseconds: EntitiesSubsystem.systemMicroseconds()), schema: Fixtures.retailSchema
                )
            }
            func buffer(creating n: Int, renamingAbsent absent: Int, sequence: Int64) throws -> DeltaBuffer {
                let rename = try sonRename(absent, to: "x", after: try sonCreate(absent, sequence: 0), sequence: sequence)
                return Samples.buffer([try create(n), rename.deltas[0]], sequence: sequence, origin: "branch1")
            }
            let buffers = [try buffer(creating: 1, renamingAbsent: 50, sequence: 1), try buffer(creating: 2, renamingAbsent: 51, sequence: 2)]
            let entities = EntitiesSubsystem(store: store, limits: WriteLimits(maximumTransactionBytes: 6_000))
            let applier = OrderedBufferApplier(entities: entities, store: store, positionName: Self.position, source: .son(clientId: "c1"))
            let outcome = try await applier.apply(buffers, missingEntities: .remember(under: "test.missing", known: PendingEntities()))
            #expect(outcome.position == 2 && outcome.applied == 2)
            #expect(try await store.readLog(after: 0, limit: 10).count == 2, "the run must have gone buffer by buffer")
            let recorded = PendingEntities(text: try await store.siteState("test.missing") ?? "")
            #expect(Set(recorded.entities.keys) == [EntityKey("Customer", Fixtures.id(50)), EntityKey("Customer", Fixtures.id(51))])
        }
    }
}
