import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import Testing

/// Writes of many entities are set-based (issue 12): one INSERT per entity table and one
/// DELETE plus one INSERT per collection table per transaction, whatever the entity count.
/// Statement-level triggers count the statements each table receives.
@Suite("PostgreSQL set-based writes", .enabled(if: PostgresTesting.isConfigured))
struct PostgresSetBasedWriteTests {
    /// `Sample` entities 1…count, each with two parts and one mark, and one `Plain` entity per 10.
    static func entities(_ count: Int, time: Int64) -> [EntityState] {
        (1...count).flatMap { number -> [EntityState] in
            var sample = PostgresSamples.sample(Fixtures.id(number), name: "s\(number)", fields: ["v_int": .int(Int32(number)), "v_text": .null], time: time)
            let parts = (0..<2).map { offset in
                SubEntityState(collection: "parts", techId: Fixtures.id(10_000 + number * 2 + offset), parentId: sample.techId,
                               fields: ["label": TimedValue(.text("p\(offset)"), at: Fixtures.time(time))])
            }
            let mark = SubEntityState(collection: "parts.marks", techId: Fixtures.id(50_000 + number), parentId: parts[0].techId,
                                      fields: ["code": TimedValue(.int(Int32(number)), at: Fixtures.time(time))])
            for sub in parts + [mark] { sample.subEntities[sub.techId] = sub }
            guard number % 10 == 0 else { return [sample] }
            let plain = EntityState(entityClass: "Plain", techId: Fixtures.id(90_000 + number), inCache: false, topics: Fixtures.topics("A"),
                                    topicsTime: Fixtures.time(time), fields: ["count": TimedValue(.bigint(Int64(number)), at: Fixtures.time(time))])
            return [sample, plain]
        }
    }

    @Test("an append of 200 entities sends one INSERT per entity table and one DELETE and one INSERT per collection table, and reads back whole")
    func boundedStatementsPerTransaction() async throws {
        try await PostgresTesting.withStore { store in
            let sample = try store.entityTable("Sample"), plain = try store.entityTable("Plain")
            let tables = [sample.layout.table, plain.layout.table] + sample.collections.map(\.table)
            try await PostgresTesting.execute("CREATE TABLE \(store.prefix)statements (tbl text, op text)", on: store)
            try await PostgresTesting.execute("""
                CREATE FUNCTION \(store.prefix)count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO \(store.prefix)statements VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$
                """, on: store)
            for table in tables {
                try await PostgresTesting.execute(
                    "CREATE TRIGGER count_statements AFTER INSERT OR DELETE ON \"\(table)\" FOR EACH STATEMENT EXECUTE FUNCTION \(store.prefix)count_statement()",
                    on: store
                )
            }
            func counts() async throws -> [String: Int] {
                var found: [String: Int] = [:]
                for row in try await PostgresTesting.execute("SELECT tbl || ' ' || op, count(*)::bigint FROM \(store.prefix)statements GROUP BY 1", on: store) {
                    let (name, count) = try row.decode((String, Int64).self)
                    found[name] = Int(count)
                }
                try await PostgresTesting.execute("DELETE FROM \(store.prefix)statements", on: store)
                return found
            }
            let first = Self.entities(200, time: 1_000)
            _ = try await store.write(reading: Set(first.map(\.key))) { _ in PostgresSamples.creating(first) }
            let expected = [
                "\(sample.layout.table) INSERT": 1, "\(plain.layout.table) INSERT": 1,
                "\(sample.collections[0].table) DELETE": 1, "\(sample.collections[0].table) INSERT": 1,
                "\(sample.collections[1].table) DELETE": 1, "\(sample.collections[1].table) INSERT": 1,
            ]
            #expect(try await counts() == expected)
            // A rewrite (every row conflicts and is updated; sub-entity rows replaced) is set-based too.
            let second = Self.entities(200, time: 2_000)
            _ = try await store.write(reading: Set(second.map(\.key))) { _ in PostgresSamples.creating(second) }
            #expect(try await counts() == expected)
            let read = try await store.entities(Set(second.map(\.key)))
            #expect(read.count == second.count)
            let byId = Dictionary(uniqueKeysWithValues: second.map { ($0.techId, PostgresSamples.comparable($0)) })
            for state in read { #expect(PostgresSamples.comparable(state) == byId[state.techId]) }
            // Purges of many entities are one DELETE per table as well.
            let purged = second.filter { $0.entityClass == "Sample" }.prefix(50).map(\.key)
            _ = try await store.write(reading: Set(purged)) { _ in TransactionPlan(purges: Array(purged), result: ()) }
            #expect(try await counts() == [
                "\(sample.layout.table) DELETE": 1, "\(sample.collections[0].table) DELETE": 1, "\(sample.collections[1].table) DELETE": 1,
            ])
            #expect(try await store.entities(Set(purged)).isEmpty)
            try await PostgresTesting.execute("DROP FUNCTION \(store.prefix)count_statement() CASCADE", on: store)
            try await PostgresTesting.execute("DROP TABLE \(store.prefix)statements", on: store)
        }
    }
}
