import ArborCore
import ArborStore
import Foundation

/// Applies received delta buffers in sequence order, in runs of consecutive buffers that each
/// commit in one transaction together with the link position (a site counter) the run
/// reaches, from the position it was read at. Both ends of a link
/// use it: the father for a son's upload (``LinkServer``), the son for its father's fetch
/// answers (``FatherLink``).
///
/// A `.conflict` means another server process of the site moved the position meanwhile (it
/// applied the same buffers, or a master that lost its role still ran): the applier re-reads
/// the position and goes on with the buffers beyond it, so no buffer is applied twice and none
/// is skipped. Buffers at or below the position are skipped: they are already applied.
public struct OrderedBufferApplier: Sendable {
    /// What one call applied.
    public struct Outcome: Sendable, Equatable {
        /// The position after the run.
        public var position: Int64
        /// How many buffers this run committed (skipped ones not counted).
        public var applied: Int
        /// How many times another process had moved the position (each followed by a re-read).
        public var conflicts: Int
        /// Entities a buffer changed that this site does not hold, each with the oldest time
        /// of such a change.
        public var missing: [EntityKey: HybridTimestamp]
        /// With ``MissingEntityHandling/refuse(skipping:)``: the entities the first refused buffer
        /// lacks (the run stopped before it, the position is that of the buffer before); nil
        /// when every buffer was applied.
        public var refusedFor: Set<EntityKey>?
    }

    let entities: EntitiesSubsystem
    let store: any SiteStore
    /// The site counter holding the link's applied position.
    public let positionName: String
    /// Who sent the buffers (merge rules and loop prevention depend on it).
    public let source: DeltaSource

    public init(entities: EntitiesSubsystem, store: any SiteStore, positionName: String, source: DeltaSource) {
        self.entities = entities
        self.store = store
        self.positionName = positionName
        self.source = source
    }

    /// The stored position (0 when unset).
    public func currentPosition() async throws(StoreError) -> Int64 {
        try await store.siteCounter(positionName) ?? 0
    }

    /// Applies the buffers (in increasing sequence order) beyond the position, then moves the
    /// position on to `through` when that lies beyond them (an answer or upload that covers
    /// sequences without buffers for this site).
    ///
    /// - Parameter start: the position the caller holds; nil reads it from the store. A stale
    ///   value costs one `.conflict` and a re-read, never a buffer applied twice.
    public func apply(
        _ buffers: [DeltaBuffer], through: Int64? = nil, from start: Int64? = nil, missingEntities: MissingEntityHandling = .skip
    ) async throws(StoreError) -> Outcome {
        var outcome = Outcome(position: 0, applied: 0, conflicts: 0, missing: [:])
        outcome.position = if let start { start } else { try await currentPosition() }
        var handling = missingEntities
        var index = buffers.startIndex
        while index < buffers.endIndex {
            guard buffers[index].sequence > outcome.position else {
                index += 1
                continue
            }
            let end = runEnd(buffers, from: index)
            do {
                guard try await commit(buffers[index..<end], into: &outcome, missingEntities: &handling) else { return outcome }
                index = end
            } catch where error.code == .conflict {
                outcome.conflicts += 1
                outcome.position = try await currentPosition()
                index = buffers.startIndex
            }
        }
        while let through, through > outcome.position {
            do {
                try await store.advanceSiteCounter(positionName, to: through, from: outcome.position)
                outcome.position = through
            } catch where error.code == .conflict {
                outcome.conflicts += 1
                outcome.position = try await currentPosition()
            }
        }
        return outcome
    }

    /// The most buffers, and deltas, one transaction applies: a backlog drains with a commit per
    /// run instead of per buffer, and a run stays well inside one transaction's size.
    public static let maximumRunBuffers = 64
    public static let maximumRunDeltas = 4_096

    /// The end of the run starting at `start`: at least one buffer.
    private func runEnd(_ buffers: [DeltaBuffer], from start: Int) -> Int {
        var end = start + 1
        var deltas = buffers[start].deltas.count
        while end < buffers.endIndex, end - start < Self.maximumRunBuffers, deltas + buffers[end].deltas.count <= Self.maximumRunDeltas {
            deltas += buffers[end].deltas.count
            end += 1
        }
        return end
    }

    /// Commits `run` in one transaction; a run refused for a missing entity, or too large
    /// once merged, goes again buffer by buffer, so a refusal stops exactly before its buffer.
    /// Returns false when a buffer was refused (``Outcome/refusedFor`` says why).
    /// With `.remember`, `missingEntities` gains what each committed transaction found, so the
    /// next one (run or buffer) writes the whole list, never only the one it started with.
    private func commit(
        _ run: ArraySlice<DeltaBuffer>, into outcome: inout Outcome, missingEntities: inout MissingEntityHandling
    ) async throws(StoreError) -> Bool {
        if run.count > 1, let last = run.last {
            do {
                let receipt = try await entities.apply(
                    run: Array(run), from: source, recording: (positionName, last.sequence), replacing: outcome.position, missingEntities: missingEntities
                )
                if !receipt.result.refused {
                    record(run, receipt.result, into: &outcome, missingEntities: &missingEntities)
                    return true
                }
            } catch where error.code == .tooLarge {}
        }
        for buffer in run {
            let receipt = try await entities.apply(
                buffer, from: source, recording: (positionName, buffer.sequence), replacing: outcome.position, missingEntities: missingEntities
            )
            if receipt.result.refused {
                var lacking = receipt.result.missing
                if case .refuse(let skipping) = missingEntities { lacking.subtract(skipping) }
                outcome.refusedFor = lacking
                return false
            }
            record([buffer], receipt.result, into: &outcome, missingEntities: &missingEntities)
        }
        return true
    }

    private func record(
        _ run: ArraySlice<DeltaBuffer>, _ report: ApplyReport, into outcome: inout Outcome, missingEntities: inout MissingEntityHandling
    ) {
        guard let last = run.last else { return }
        outcome.position = last.sequence
        outcome.applied += run.count
        for delta in run.lazy.flatMap(\.deltas) where report.missing.contains(delta.key) {
            outcome.missing[delta.key] = min(outcome.missing[delta.key] ?? delta.updateTime, delta.updateTime)
        }
        if case .remember(let key, var known) = missingEntities {
            for (entity, time) in outcome.missing { known.insert(entity, at: time) }
            missingEntities = .remember(under: key, known: known)
        }
    }
}

