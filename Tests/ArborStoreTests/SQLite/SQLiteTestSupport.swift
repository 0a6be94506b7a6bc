import ArborCore
@testable import ArborStore
import ArborTesting
import Foundation
import GRDB
import Testing

/// A fresh temporary SQLite file per test, removed (with its WAL files) at the end.
struct SQLiteTestFile: Sendable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-sqlite-\(UUID().uuidString).sqlite").path
    }

    func remove() {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Opens a store on this file (another call gives another store object, as another
    /// process would have).
    func open(schema: DistributionSchema = Fixtures.retailSchema, prefix: TablePrefix = .standard, site: String = "center") async throws -> SQLiteSiteStore {
        try await SQLiteSiteStore.open(StoreConfiguration(location: .sqlite(path: path), schema: schema, prefix: prefix, siteName: site))
    }

    /// A plain GRDB connection to the file, for raw SQL from "outside" Arbor.
    func rawQueue() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

/// Runs `body` with an installed store on a new temporary file, then closes it and removes the file.
func withSQLiteStore<T>(
    schema: DistributionSchema = Fixtures.retailSchema, prefix: TablePrefix = .standard,
    _ body: (SQLiteSiteStore, SQLiteTestFile) async throws -> T
) async throws -> T {
    let file = SQLiteTestFile()
    defer { file.remove() }
    let store = try await file.open(schema: schema, prefix: prefix)
    do {
        try await store.install(upgradingSchema: false)
        let result = try await body(store, file)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// Builders of entities and deltas for the SQLite tests.
enum SQLiteFixtures {
    /// A Customer of the retail schema with every field written at `time`.
    static func customer(_ n: Int, name: String = "customer", time: Int64 = 1_000, inCache: Bool = true) -> EntityState {
        let at = Fixtures.time(time)
        return EntityState(
            entityClass: "Customer", techId: Fixtures.id(n), inCache: inCache, topics: Fixtures.topics("A", "B\(n % 3)"), topicsTime: at,
            fields: [
                "deleted": TimedValue(.bool(false), at: at), "name": TimedValue(.text(name), at: at),
                "email": TimedValue(.null, at: at), "vip": TimedValue(.bool(n % 2 == 0), at: at),
            ]
        )
    }

    /// The CREATE delta carrying `state` whole (sub-entities as creates).
    static func create(_ state: EntityState) -> Delta {
        Delta(
            operation: .create, entityClass: state.entityClass, techId: state.techId, updateTime: state.updateTime,
            topics: state.topics, topicsTime: state.topicsTime, inCache: state.inCache, fields: state.fields,
            subEntities: state.subEntities.values.sorted { $0.techId.uuidString < $1.techId.uuidString }.map {
                SubEntityDelta(operation: .create, collection: $0.collection, techId: $0.techId, parentId: $0.parentId, fields: $0.fields)
            }
        )
    }

    /// Upserts `state` with its CREATE delta in one transaction; returns the sequence.
    @discardableResult
    static func upsert(_ state: EntityState, into store: SQLiteSiteStore) async throws -> Int64? {
        try await store.write(reading: []) { _ in TransactionPlan(upserts: [state], deltas: [create(state)], result: ()) }.sequence
    }
}

/// Field values compared exactly: doubles by bit pattern (any NaN equals any NaN, as payloads
/// may be canonicalised), text by its UTF-8 bytes (Swift's `==` ignores normalisation).
func sameValue(_ lhs: FieldValue, _ rhs: FieldValue) -> Bool {
    switch (lhs, rhs) {
    case (.double(let a), .double(let b)): return (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
    case (.text(let a), .text(let b)), (.json(let a), .json(let b)): return Array(a.utf8) == Array(b.utf8)
    default: return lhs == rhs
    }
}

/// Whether two field maps hold the same names, times and (exactly) the same values.
func sameFields(_ lhs: [String: TimedValue], _ rhs: [String: TimedValue]) -> Bool {
    lhs.keys.sorted() == rhs.keys.sorted()
        && lhs.allSatisfy { name, timed in rhs[name].map { $0.time == timed.time && sameValue($0.value, timed.value) } ?? false }
}

/// Whether two entities are the same, fields compared exactly.
func sameEntity(_ lhs: EntityState, _ rhs: EntityState) -> Bool {
    lhs.key == rhs.key && lhs.inCache == rhs.inCache && lhs.topics == rhs.topics && lhs.topicsTime == rhs.topicsTime
        && sameFields(lhs.fields, rhs.fields) && lhs.subEntities.keys.sorted { $0.uuidString < $1.uuidString } == rhs.subEntities.keys.sorted { $0.uuidString < $1.uuidString }
        && lhs.subEntities.allSatisfy { id, sub in
            guard let other = rhs.subEntities[id] else { return false }
            return sub.collection == other.collection && sub.parentId == other.parentId && sub.isDeleted == other.isDeleted
                && sub.deletedTime == other.deletedTime && sameFields(sub.fields, other.fields)
        }
}

/// Expects `body` to throw a ``StoreError`` with `code`; returns it for further checks.
@discardableResult
func expectStoreError(_ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> StoreError? {
    do {
        try await body()
        Issue.record("expected a \(code) error, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a StoreError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
