import ArborCore
import Foundation

/// The reference entities sub-system (§3, §4.1): applications' writes and deltas from the
/// father and sons go through here. Each call is one store transaction that writes the rows
/// and appends the deltas the merge rules emit (§2.6), and commits; the store then wakes the
/// delta server.
public final class EntitiesSubsystem: Sendable {
    public let store: any SiteStore
    public let clock: SiteClock
    /// The size and clock-skew bounds of what this sub-system commits.
    public let limits: WriteLimits

    /// - Parameters:
    ///   - wallClock: microseconds since 1970; tests pass a manual clock.
    ///   - limits: the largest transaction and the allowed skew of received times.
    public init(
        store: any SiteStore, wallClock: @escaping @Sendable () -> Int64 = EntitiesSubsystem.systemMicroseconds, limits: WriteLimits = WriteLimits()
    ) {
        self.store = store
        self.limits = limits
        clock = SiteClock(wallClock: wallClock, maximumAheadMicroseconds: limits.maximumClockSkewMicroseconds)
    }

    /// The system wall clock in microseconds since 1970.
    public static func systemMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// The schema the store was opened with.
    public var schema: DistributionSchema { store.schema }

    /// Applies the application's writes in one transaction; acknowledged only after commit.
    /// Bad input (unknown class or field, wrong type, reserved topic, missing entity) is refused
    /// with `.invalidInput` (or `.notFound`) before anything is written.
    ///
    /// With `request` (a client id and the append's request id, issue 10 item 13), the outcome
    /// is recorded in the same transaction; when that request already committed, the write
    /// rolls back with `.alreadyApplied` and the caller answers the recorded outcome.
    ///
    /// `permit` (issue 11 item 2) is asked about every entity as this transaction locked it and
    /// as the write would leave it; one refusal rolls the whole write back with `.notPermitted`.
    @discardableResult
    public func write(
        _ writes: [EntityWrite], request: (clientId: String, requestId: String)? = nil, permit: any EntityWritePermit = UnrestrictedWrites()
    ) async throws(StoreError) -> WriteReceipt<[MergeOutcome]> {
        guard !writes.isEmpty else { throw StoreError(.invalidInput, "no entity writes given") }
        let keys = Set(writes.map { EntityKey($0.entityClass, $0.techId) })
        guard keys.count == writes.count else {
            throw StoreError(.invalidInput, "an entity appears twice in one write: combine its changes into one")
        }
        let schema = store.schema
        return try await run(reading: keys) { [clock, limits] loaded in
            var plan = TransactionPlan<[MergeOutcome]>(result: [])
            plan.maximumBufferBytes = limits.maximumTransactionBytes
            let time = clock.tick(after: loaded.values.map(\.updateTime))
            for write in writes {
                let key = EntityKey(write.entityClass, write.techId)
                // Asked first: an entity the client may not write is refused whatever the write.
                if let existing = loaded[key] { try Self.require(permit, key, existing.topics, .before) }
                if write.kind == .purge {
                    guard let existing = loaded[key] else {
                        throw StoreError(.notFound, "\(key) does not exist, so it cannot be purged")
                    }
                    plan.purges.append(key)
                    plan.deltas.append(Delta(
                        operation: .delete, entityClass: key.entityClass, techId: key.techId, updateTime: time,
                        topics: existing.topics, inCache: existing.inCache
                    ))
                    plan.result.append(.accepted)
                    continue
                }
                let delta: Delta
                do {
                    delta = try LocalWrite.delta(for: write, existing: loaded[key], at: time, schema: schema)
                } catch let error as EntityWriteError {
                    throw StoreError(loaded[key] == nil && !write.kind.isCreate ? .notFound : .invalidInput, error.message)
                }
                let merged = EntityMerge.apply(delta, to: loaded[key], from: .local)
                try Self.require(permit, key, merged.state?.topics ?? loaded[key]?.topics ?? delta.topics, .after)
                if let state = merged.state { plan.upserts.append(state) }
                plan.deltas += merged.deltas
                plan.result.append(merged.outcome)
            }
            if let request {
                plan.appendRequest = AppendRequestRecord(
                    clientId: request.clientId, requestId: request.requestId, sequence: nil,
                    outcomes: plan.result.map(\.protocolName), recordedMicroseconds: time.microseconds
                )
            }
            return plan
        }
    }

    /// Merges a delta buffer received from the father or a son (§2.6.2, §2.6.3) in one
    /// transaction, appending what the merge emits. `position` (a site counter and its value,
    /// such as the link's applied sequence) commits with the data, so a buffer is never applied twice
    /// across restarts. With `replacing` (the position's value read before), the transaction
    /// rolls back with `.conflict` when another process moved the position meanwhile, so a
    /// buffer is never applied twice by two processes either.
    ///
    /// With `missingEntities` `.refuse`, a buffer with a PARTIAL or UPDATE for an entity this
    /// site does not hold writes nothing (the position does not move either) and reports it
    /// `refused`, so the caller can load the entity first and apply the buffer again.
    @discardableResult
    public func apply(
        _ buffer: DeltaBuffer, from source: DeltaSource, recording position: (key: String, value: Int64)? = nil, replacing previous: Int64? = nil,
        missingEntities: MissingEntityHandling = .skip
    ) async throws(StoreError) -> WriteReceipt<ApplyReport> {
        try await apply(run: [buffer], from: source, recording: position, replacing: previous, missingEntities: missingEntities)
    }

    /// Merges consecutive buffers from one sender in one transaction, in order, exactly as
    /// applying them one by one would, but with one commit (a backlog drains without a
    /// durable commit per buffer; issue 12). What the merges emit becomes one log record here.
    /// `position` is the value after the last buffer; with `.refuse`, a missing entity in any
    /// buffer writes nothing of the run.
    public func apply(
        run buffers: [DeltaBuffer], from source: DeltaSource, recording position: (key: String, value: Int64)? = nil, replacing previous: Int64? = nil,
        missingEntities: MissingEntityHandling = .skip
    ) async throws(StoreError) -> WriteReceipt<ApplyReport> {
        for buffer in buffers {
            guard buffer.schemaName == store.schema.name else {
                throw StoreError(
                    .schemaMismatch,
                    "buffer \(buffer.sequence) from \(buffer.originSite) uses schema '\(buffer.schemaName)', this site uses '\(store.schema.name)'"
                )
            }
            for delta in buffer.deltas {
                do { try delta.validate(against: store.schema) } catch {
                    throw StoreError(.invalidInput, "buffer \(buffer.sequence) from \(buffer.originSite): \(error)")
                }
            }
            do { try clock.check(buffer.deltas) } catch {
                throw StoreError(.invalidInput, "buffer \(buffer.sequence) from \(buffer.originSite): \(error)")
            }
        }
        let deltas = buffers.flatMap(\.deltas)
        clock.observe(deltas.map(\.updateTime))
        let limits = limits
        // A DELETE from the father removes this site's copy (EntityMerge), so it reads the entity.
        let keys = Set(deltas.filter { $0.operation != .register && ($0.operation != .delete || source == .father) }.map(\.key))
        return try await run(reading: keys) { loaded in
            var working = loaded
            var changed = Set<EntityKey>()
            var plan = TransactionPlan<ApplyReport>(result: ApplyReport())
            plan.maximumBufferBytes = limits.maximumTransactionBytes
            for delta in deltas {
                let merged = EntityMerge.apply(delta, to: working[delta.key], from: source)
                plan.result.outcomes.append(merged.outcome)
                if merged.purges {
                    working[delta.key] = nil
                    changed.remove(delta.key)
                    plan.purges.append(delta.key)
                }
                switch merged.outcome {
                case .created, .accepted, .partlyAccepted:
                    working[delta.key] = merged.state
                    changed.insert(delta.key)
                case .missingEntity:
                    plan.result.missing.insert(delta.key)
                case .rejected, .unchanged:
                    break
                }
                plan.deltas += merged.deltas
            }
            if case .refuse(let skipping) = missingEntities, !plan.result.missing.isSubset(of: skipping) {
                var report = plan.result
                report.refused = true
                return TransactionPlan(result: report)
            }
            if case .remember(let key, var known) = missingEntities, !plan.result.missing.isEmpty {
                for delta in deltas where plan.result.missing.contains(delta.key) { known.insert(delta.key, at: delta.updateTime) }
                plan.siteState[key] = known.text
            }
            plan.upserts = changed.compactMap { working[$0] }
            if let position {
                plan.siteCounters[position.key] = position.value
                if let previous { plan.positionPreconditions[position.key] = previous }
            }
            return plan
        }
    }

    /// Sets the position `key` to `value` when it still holds `previous`; `.conflict` when
    /// another process moved it meanwhile.
    public func advancePosition(_ key: String, to value: Int64, replacing previous: Int64) async throws(StoreError) {
        try await store.advanceSiteCounter(key, to: value, from: previous)
    }

    /// Throws `.notPermitted` with the permit's reason when it refuses `key` holding `topics`.
    private static func require(_ permit: any EntityWritePermit, _ key: EntityKey, _ topics: TopicsList, _ side: EntityWriteSide) throws(StoreError) {
        if let reason = permit.refusal(for: key, topics: topics, side: side) { throw StoreError(.notPermitted, reason) }
    }

    func run<Result: Sendable>(
        reading keys: Set<EntityKey>,
        _ plan: @escaping @Sendable ([EntityKey: EntityState]) throws -> TransactionPlan<Result>
    ) async throws(StoreError) -> WriteReceipt<Result> {
        do {
            return try await store.write(reading: keys, plan)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "write failed: \(error)", underlying: error)
        }
    }
}

/// What merging one received buffer did.
public struct ApplyReport: Hashable, Sendable {
    /// The merge outcome of each delta, in order.
    public var outcomes: [MergeOutcome] = []
    /// Entities a PARTIAL or UPDATE arrived for that this site does not hold; the link must
    /// load them whole (SyncLoad with their tech-ids).
    public var missing: Set<EntityKey> = []
    /// Whether nothing was written because of ``missing`` (``MissingEntityHandling/refuse(skipping:)``).
    public var refused = false

    public init() {}
}

/// What merging a received buffer does with a PARTIAL or UPDATE for an entity this site does
/// not hold (nothing to merge it into).
public enum MissingEntityHandling: Hashable, Sendable {
    /// The delta is dropped and the entity reported in ``ApplyReport/missing``.
    case skip
    /// The buffer writes nothing and is reported ``ApplyReport/refused``, unless every missing
    /// entity is in `skipping` (already looked for elsewhere in vain): then those are skipped.
    case refuse(skipping: Set<EntityKey>)
    /// The delta is dropped as with ``skip``, and `known` with the entities missing here is
    /// written to site state `key` (a ``PendingEntities``) in the same transaction, so the
    /// need to load them survives a stop before the load.
    case remember(under: String, known: PendingEntities)
}
