import ArborCore
import ArborEdge
import ArborStore

/// After the father was restored from an older backup (`LogReplaced`), its copy lacks every
/// write it had taken after the backup: its own, and its other sons', that reached this site
/// before the restore. This site's registering SyncLoad from time 0 shows which: an entity
/// whose merge kept parts newer here, and a held entity the father did not send at all. Both
/// go up again as this site holds them, with their own write times (``EntitiesSubsystem/republish(newer:absentAbove:)``),
/// so the father gets back what any son still holds, and a newer write anywhere still wins.
extension FatherLink {
    /// `held`: what this site held before the load; `answer`: the load; `newerHere`: the
    /// entities the load's merge found newer here.
    func republishWhatTheRestoredFatherLost(held: [EntityRef], answer: DeltaBatch, newerHere: Set<EntityKey>) async throws {
        let answered = Set(answer.buffers.flatMap(\.deltas).map(\.key))
        let absent = Set(held.map { EntityKey($0.entityClass, $0.techId) }).subtracting(answered)
        let sent = try await context.entities.republish(newer: newerHere, absentAbove: absent)
        guard sent > 0 else { return }
        logger.notice("father link: the father was restored from an older backup; sending up again \(sent) entities it lacks or holds older (\(newerHere.count) newer here, \(absent.count) absent there)")
    }
}
