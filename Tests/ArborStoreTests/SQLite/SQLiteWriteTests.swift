import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

@Suite struct SQLiteWriteTests {
    struct PlanRefused: Error, Equatable {}

    @Test func aPlanThatThrowsLeavesNothingAndItsErrorIsRethrown() async throws {
        try await withSQLiteStore { store, _ async throws in
            let customer = SQLiteFixtures.customer(1)
            do {
                _ = try await store.write(reading: [customer.key]) { loaded -> TransactionPlan<Void> in
                    #expect(loaded.isEmpty)
                    throw PlanRefused()
                }
                Issue.record("the plan's error should be rethrown")
            } catch {
                #expect(error as? PlanRefused == PlanRefused())
            }
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.entities([customer.key]).isEmpty)
        }
    }

    @Test func anInvalidDeltaOrUpsertWritesNothing() async throws {
        try await withSQLiteStore { store, file async throws in
            let customer = SQLiteFixtures.customer(1)
            var wrongType = SQLiteFixtures.create(customer)
            wrongType.fields["vip"] = TimedValue(.text("yes"), at: Fixtures.time(1))
            var unknownField = customer
            unknownField.fields["shoeSize"] = TimedValue(.int(42), at: Fixtures.time(1))
            var nullName = customer
            nullName.fields["name"] = TimedValue(.null, at: Fixtures.time(1))
            var unknownClass = SQLiteFixtures.create(customer)
            unknownClass.entityClass = "Planet"
            let plans: [TransactionPlan<Void>] = [
                TransactionPlan(upserts: [customer], deltas: [wrongType], siteState: ["k": "v"], result: ()),
                TransactionPlan(upserts: [unknownField], deltas: [SQLiteFixtures.create(customer)], result: ()),
                TransactionPlan(upserts: [nullName], result: ()),
                TransactionPlan(upserts: [customer], deltas: [unknownClass], result: ()),
                TransactionPlan(upserts: [customer], purges: [EntityKey("Planet", Fixtures.id(9))], result: ()),
            ]
            for plan in plans {
                let error = await expectStoreError(.invalidInput) { _ = try await store.write(reading: []) { _ in plan } }
                #expect(error?.message.contains("yes") != true, "messages must not carry values")
            }
            await expectStoreError(.invalidInput) { _ = try await store.write(reading: [EntityKey("Planet", Fixtures.id(1))]) { _ in TransactionPlan(result: ()) } }
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.entities([customer.key]).isEmpty)
            #expect(try await store.siteState("k") == nil)
            #expect(try await file.rawQueue().read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM arbor_e_customer") } == 0)
        }
    }

    @Test func writesLoadWhatTheyReadAndPurgeEverything() async throws {
        try await withSQLiteStore { store, _ async throws in
            let first = SQLiteFixtures.customer(1, name: "first")
            try await SQLiteFixtures.upsert(first, into: store)
            try await store.saveRegistrations([first.techId: RegistrationMasks(registered: 3, synced: 1)])
            let seen = try await store.write(reading: [first.key, EntityKey("Customer", Fixtures.id(2))]) { loaded in
                TransactionPlan(purges: [first.key], siteState: ["applied": "7"], result: loaded)
            }
            #expect(seen.sequence == nil, "no deltas, no log record")
            #expect(seen.result.count == 1)
            #expect(seen.result[first.key].map { sameEntity($0, first) } == true)
            #expect(try await store.entities([first.key]).isEmpty)
            #expect(try await store.registrations([first.techId]).isEmpty)
            #expect(try await store.siteState("applied") == "7")
            #expect(try await store.lastSequence() == 1)
        }
    }

    @Test func logRecordsFollowSequenceOrderAndCarryTheSite() async throws {
        try await withSQLiteStore { store, _ async throws in
            for n in 1...5 { #expect(try await SQLiteFixtures.upsert(SQLiteFixtures.customer(n), into: store) == Int64(n)) }
            let records = try await store.readLog(after: 2, limit: 2)
            #expect(records.map(\.sequence) == [3, 4])
            let buffer = try DeltaBufferCodec.decode(try #require(records.first).buffer, schema: Fixtures.retailSchema)
            #expect(buffer.sequence == 3)
            #expect(buffer.schemaName == "retail-v1")
            #expect(buffer.deltas.map(\.techId) == [Fixtures.id(3)])
            #expect(try await store.readLog(after: 5, limit: 10).isEmpty)
            #expect(try await store.readLog(after: 0, limit: 0).isEmpty)
            await expectStoreError(.invalidInput) { _ = try await store.readLog(after: 0, limit: -1) }
        }
    }

    @Test func logAppendedFiresAfterACommitThatAppended() async throws {
        try await withSQLiteStore { store, _ async throws in
            var signals = store.logAppended().makeAsyncIterator()
            try await SQLiteFixtures.upsert(SQLiteFixtures.customer(1), into: store)
            #expect(await signals.next() != nil)
            #expect(try await store.lastSequence() == 1, "the signal comes after the commit")
        }
    }

    @Test func aWriteWithoutDeltasSignalsNothingAndCloseEndsTheStream() async throws {
        try await withSQLiteStore { store, _ async throws in
            var signals = store.logAppended().makeAsyncIterator()
            try await store.write(reading: []) { _ in TransactionPlan(siteState: ["a": "b"], result: ()) }
            await store.close()
            #expect(await signals.next() == nil, "no signal was pending and closing ends the stream")
        }
    }
}
