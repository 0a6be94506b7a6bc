import ArborCore
import Foundation
import GRDB

extension SQLiteSiteStore {
    var logTable: String { prefix.table("delta_log") }
    var siteStateTable: String { prefix.table("site_state") }

    /// One `BEGIN IMMEDIATE` transaction: loads the keyed entities, asks `plan`, checks what it
    /// returned against the schema, writes it and appends the deltas as the next log record.
    /// An error thrown by `plan` rolls everything back and is rethrown unchanged; anything
    /// the schema refuses throws `.invalidInput` before a row is written.
    ///
    /// Within the transaction purges run before upserts, so an entity both purged and upserted
    /// ends up as upserted.
    public func write<Result: Sendable>(
        reading keys: Set<EntityKey>,
        _ plan: @Sendable (_ loaded: [EntityKey: EntityState]) throws -> TransactionPlan<Result>
    ) async throws -> WriteReceipt<Result> {
        let receipt: WriteReceipt<Result>
        let logged: LoggedBuffer?
        do {
            (receipt, logged) = try await immediateTransaction { db in
                let loaded = try self.load(db, keys)
                let decided: TransactionPlan<Result>
                do {
                    decided = try plan(loaded)
                } catch {
                    throw PlanFailure(error: error)
                }
                let logged = try self.apply(decided, in: db)
                return (WriteReceipt(sequence: logged?.buffer.sequence, result: decided.result), logged)
            }
        } catch let failure as PlanFailure {
            throw failure.error
        } catch {
            throw failure(error, while: "write transaction")
        }
        if let logged { committedBuffers?.committed(logged.buffer, bytes: logged.bytes) }
        if receipt.sequence != nil {
            logSignal.signal()
            wakeups.notifyOthers(.log)
        }
        return receipt
    }

    /// Writes `plan` and returns its log record (nil without deltas).
    private func apply<Result>(_ plan: TransactionPlan<Result>, in db: Database) throws -> LoggedBuffer? {
        // Checked first, inside the immediate transaction: no other writer can move them now.
        for (key, expected) in plan.positionPreconditions {
            let found = try Self.counter(key, in: db, table: siteCountersTable)
            guard found == expected else { throw TransactionPlan<Result>.positionMoved(key, found: found, expected: expected) }
        }
        let upserts = try plan.upserts.map { (state) throws(StoreError) in (try table(for: state.entityClass), state) }
        for (table, state) in upserts { try validate(state, in: table.layout.entityClass) }
        let purges = try plan.purges.map { (key) throws(StoreError) in (try table(for: key.entityClass), key.techId) }
        for (number, delta) in plan.deltas.enumerated() {
            do {
                try delta.validate(against: schema)
            } catch {
                throw StoreError(.invalidInput, "delta \(number + 1) (\(delta.operation) \(delta.key)) does not fit the schema: \(error)")
            }
        }

        for (table, techId) in purges {
            try table.purge(db, techId: techId)
            try db.cachedStatement(sql: "DELETE FROM \(registrationsTable) WHERE tech_id = ?").execute(arguments: [techId.uuidString])
        }
        try save(upserts, in: db)
        for (key, value) in plan.siteState.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT INTO \(siteStateTable) (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .execute(arguments: [key, value])
        }
        for (name, value) in plan.siteCounters.sorted(by: { $0.key < $1.key }) {
            try Self.setCounter(name, value, in: db, table: siteCountersTable)
        }
        guard !plan.deltas.isEmpty else {
            try recordAppendRequest(plan.appendRequest, sequence: nil, in: db)
            return nil
        }

        // The immediate transaction holds the file's write lock, so max + 1 is gap-free and
        // no other connection can take the same number.
        let sequence = try Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) + 1 FROM \(logTable)") ?? 1
        let buffer = DeltaBuffer(schemaName: schema.name, originSite: siteName, sequence: sequence, deltas: plan.deltas)
        let bytes: [UInt8]
        do {
            bytes = try DeltaBufferCodec.encode(buffer, schema: schema)
        } catch {
            throw StoreError(.invalidInput, "the transaction's deltas cannot be encoded: \(error)", underlying: error)
        }
        try StoreError.checkBufferSize(bytes.count, limit: plan.maximumBufferBytes)
        try db.cachedStatement(sql: "INSERT INTO \(logTable) (sequence, buffer) VALUES (?, ?)")
            .execute(arguments: [sequence, Data(bytes)])
        try recordAppendRequest(plan.appendRequest, sequence: sequence, in: db)
        return LoggedBuffer(buffer: buffer, bytes: bytes)
    }

    /// Saves `upserts` with a few statements per table: the last state of each entity, by class.
    private func save(_ upserts: [(SQLiteEntityTable, EntityState)], in db: Database) throws {
        var last: [EntityKey: Int] = [:]
        for (index, (_, state)) in upserts.enumerated() { last[state.key] = index }
        var byClass: [String: (table: SQLiteEntityTable, states: [EntityState])] = [:]
        for (index, (table, state)) in upserts.enumerated() where last[state.key] == index {
            byClass[table.entityClass, default: (table, [])].states.append(state)
        }
        for (_, group) in byClass.sorted(by: { $0.key < $1.key }) { try group.table.save(db, group.states) }
    }

    /// The entity table of `entityClass`, or `.invalidInput` naming the unknown class.
    func table(for entityClass: String) throws(StoreError) -> SQLiteEntityTable {
        guard let table = entityTablesByClass[entityClass] else {
            throw StoreError(.invalidInput, "class '\(entityClass)' is not in schema '\(schema.name)'")
        }
        return table
    }

    /// Checks an entity to upsert: declared fields of the right types, declared collections.
    private func validate(_ state: EntityState, in entityClass: EntityClass) throws(StoreError) {
        do {
            for (name, timed) in state.fields {
                guard let field = entityClass.field(named: name) else { throw SchemaError.unknownField(name, in: entityClass.name) }
                try timed.value.check(against: field)
            }
            for sub in state.subEntities.values {
                guard let collection = entityClass.collection(atPath: sub.collection) else {
                    throw SchemaError.unknownCollection(sub.collection, in: entityClass.name)
                }
                for (name, timed) in sub.fields {
                    guard let field = collection.field(named: name) else { throw SchemaError.unknownField(name, in: "\(entityClass.name).\(sub.collection)") }
                    try timed.value.check(against: field)
                }
            }
        } catch {
            throw StoreError(.invalidInput, "entity \(state.key) does not fit schema '\(schema.name)': \(error)")
        }
    }
}

/// Carries an error thrown by a transaction plan through GRDB, so it is rethrown unchanged.
private struct PlanFailure: Error {
    let error: any Error
}
