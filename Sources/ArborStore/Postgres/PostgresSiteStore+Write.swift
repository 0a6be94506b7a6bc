import ArborCore
import Foundation
import PostgresNIO

extension PostgresSiteStore {
    /// One write transaction on one connection:
    ///
    /// 1. BEGIN; advisory-lock every key (ascending, so writers never deadlock; absent entities
    ///    are locked too, against concurrent creators); load the entities.
    /// 2. Ask `plan`; validate its upserts and deltas against the schema.
    /// 3. Write upserts, purges and site state.
    /// 4. Last, when there are deltas: take the next sequence by updating the `log_head` row,
    ///    insert the buffer, NOTIFY. The row lock is held only until COMMIT, so sequences
    ///    follow commit order without gaps, and a rollback gives its number back (DESIGN rule 2).
    public func write<Result: Sendable>(
        reading keys: Set<EntityKey>,
        _ plan: @Sendable (_ loaded: [EntityKey: EntityState]) throws -> TransactionPlan<Result>
    ) async throws -> WriteReceipt<Result> {
        for key in keys { _ = try entityTable(key.entityClass) }
        let lockKeys = PostgresLockKey.entities(keys.map(\.techId), prefix: prefix)
        let receipt: WriteReceipt<Result>
        let logged: LoggedBuffer?
        do {
            (receipt, logged) = try await rawTransaction { connection in
                if !lockKeys.isEmpty {
                    // The sub-select keeps its ORDER BY, so the locks are taken in that order.
                    try await connection.run(
                        "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest(\(lockKeys)::bigint[]) AS k ORDER BY k) AS ordered",
                        logger: logger
                    )
                }
                let loaded = try await load(keys, on: connection)
                let decided: TransactionPlan<Result>
                do {
                    decided = try plan(loaded)
                } catch {
                    throw PlanFailure(error: error)
                }
                try validate(decided)
                try await checkPreconditions(decided, on: connection)
                try await apply(decided, on: connection)
                guard !decided.deltas.isEmpty else {
                    try await recordAppendRequest(decided.appendRequest, sequence: nil, on: connection)
                    return (WriteReceipt(sequence: nil, result: decided.result), nil)
                }
                let logged = try await appendLog(decided.deltas, maximumBytes: decided.maximumBufferBytes, on: connection)
                let sequence = logged.buffer.sequence
                try await recordAppendRequest(decided.appendRequest, sequence: sequence, on: connection)
                if let hook = beforeCommitHook { await hook() }
                return (WriteReceipt(sequence: sequence, result: decided.result), logged)
            }
        } catch let failure as PlanFailure {
            throw failure.error
        } catch {
            throw PostgresStoreErrors.map(error, "writing a transaction", prefix: prefix)
        }
        if let logged { committedBuffers?.committed(logged.buffer, bytes: logged.bytes) }
        if receipt.sequence != nil { notifications.signal(logChannel) }
        return receipt
    }

    /// Checks the plan's positions under a transaction lock per key, so that of two processes
    /// applying from the same position only the first commits.
    private func checkPreconditions<Result>(_ plan: TransactionPlan<Result>, on connection: PostgresConnection) async throws {
        for (key, expected) in plan.positionPreconditions.sorted(by: { $0.key < $1.key }) {
            let found = try await lockedCounter(key, on: connection)
            guard found == expected else { throw TransactionPlan<Result>.positionMoved(key, found: found, expected: expected) }
        }
    }

    /// The entities named by `keys` that exist.
    func load(_ keys: Set<EntityKey>, on connection: PostgresConnection) async throws -> [EntityKey: EntityState] {
        var loaded: [EntityKey: EntityState] = [:]
        for (entityClass, classKeys) in Dictionary(grouping: keys, by: \.entityClass) {
            let table = try entityTable(entityClass)
            for state in try await table.load(classKeys.map(\.techId), on: connection, logger: logger).values {
                loaded[state.key] = state
            }
        }
        return loaded
    }

    /// Refuses a plan whose upserts or deltas do not fit the schema, before anything is written.
    func validate<Result>(_ plan: TransactionPlan<Result>) throws(StoreError) {
        for state in plan.upserts {
            let entityClass = try entityTable(state.entityClass).layout.entityClass
            try check(state.fields, owner: "\(state.key)") { entityClass.field(named: $0) }
            for sub in state.subEntities.values {
                guard let collection = entityClass.collection(atPath: sub.collection) else {
                    throw StoreError(.invalidInput, SchemaError.unknownCollection(sub.collection, in: entityClass.name).description)
                }
                try check(sub.fields, owner: "\(state.key) \(sub.collection) \(sub.techId)") { collection.field(named: $0) }
            }
        }
        for key in plan.purges { _ = try entityTable(key.entityClass) }
        for (number, delta) in plan.deltas.enumerated() {
            do {
                try delta.validate(against: schema)
            } catch {
                throw StoreError(.invalidInput, "delta \(number) (\(delta.operation) \(delta.key)) does not fit schema '\(schema.name)': \(error)")
            }
        }
    }

    private func check(
        _ fields: [String: TimedValue], owner: String, _ definition: (String) -> FieldDefinition?
    ) throws(StoreError) {
        for (name, timed) in fields {
            guard let field = definition(name) else {
                throw StoreError(.invalidInput, SchemaError.unknownField(name, in: owner).description)
            }
            do {
                try timed.value.check(against: field)
            } catch {
                throw StoreError(.invalidInput, "\(owner): \(error)")
            }
        }
        try PostgresFieldCoding.checkStorable(fields, owner: owner)
    }

    private func apply<Result>(_ plan: TransactionPlan<Result>, on connection: PostgresConnection) async throws {
        // Set-based: one statement per entity table (and two per collection table), not per entity.
        for (entityClass, states) in Dictionary(grouping: plan.upserts, by: \.entityClass).sorted(by: { $0.key < $1.key }) {
            try await entityTable(entityClass).upsert(states, on: connection, logger: logger)
        }
        if !plan.purges.isEmpty {
            for (entityClass, keys) in Dictionary(grouping: plan.purges, by: \.entityClass).sorted(by: { $0.key < $1.key }) {
                try await entityTable(entityClass).purge(keys.map(\.techId), on: connection, logger: logger)
            }
            try await connection.run("DELETE FROM \(unescaped: table("registrations")) WHERE tech_id = ANY(\(plan.purges.map(\.techId)))", logger: logger)
        }
        for (name, value) in plan.siteCounters.sorted(by: { $0.key < $1.key }) {
            try await setCounter(name, value, on: connection)
        }
        if !plan.siteState.isEmpty {
            let entries = plan.siteState.sorted { $0.key < $1.key }
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("site_state")) (key, value)
                SELECT * FROM unnest(\(entries.map(\.key))::text[], \(entries.map(\.value))::text[])
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """,
                logger: logger
            )
        }
    }

    /// Queues the NOTIFY (sent at COMMIT), takes the next sequence and stores the encoded buffer.
    private func appendLog(_ deltas: [Delta], maximumBytes: Int, on connection: PostgresConnection) async throws -> LoggedBuffer {
        // NOTIFY is delivered at COMMIT wherever it is issued, so it goes before the log head:
        // the head's row lock serializes writers, and every round trip under it costs them all.
        // NOTIFY takes no bind parameters; the channel is built from the validated prefix.
        try await connection.run(PostgresQuery(unsafeSQL: "NOTIFY \(PostgresEntityDDL.quoted(logChannel))"), logger: logger)
        let rows = try await connection.run(
            "UPDATE \(unescaped: table("log_head")) SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence",
            logger: logger
        )
        guard let sequence = try rows.first?.decode(Int64.self) else {
            throw StoreError(.queryFailed, "the log head row of prefix '\(prefix)' is missing: run `arbor init` to repair the tables")
        }
        let buffer = DeltaBuffer(schemaName: schema.name, originSite: siteName, sequence: sequence, deltas: deltas)
        let bytes: [UInt8]
        do {
            bytes = try DeltaBufferCodec.encode(buffer, schema: schema)
        } catch {
            throw StoreError(.invalidInput, "the transaction's deltas cannot be encoded: \(error)", underlying: error)
        }
        try StoreError.checkBufferSize(bytes.count, limit: maximumBytes)
        try await connection.run(
            "INSERT INTO \(unescaped: table("delta_log")) (sequence, buffer) VALUES (\(sequence), \(ByteBuffer(bytes: bytes)))",
            logger: logger
        )
        return LoggedBuffer(buffer: buffer, bytes: bytes)
    }
}

/// Carries an error thrown by a write's plan through the transaction unchanged.
private struct PlanFailure: Error {
    let error: any Error
}
