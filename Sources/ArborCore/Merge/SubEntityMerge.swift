import Foundation

/// Merges sub-entity changes into an entity's sub-entities.
///
/// A DELETE leaves a permanent tombstone, so a late CREATE or UPDATE of a deleted sub-entity is
/// rejected (the sender then learns of the delete) instead of bringing it back. A sub-DELETE
/// carries the time of the delete (or, when absent, its delta's update time); a tombstone keeps
/// the earliest such time it is sent, which makes the result independent of arrival order.
/// A tombstone keeps no fields, so it is the same whether its last updates arrived before the
/// delete or (rejected) after it.
enum SubEntityMerge {
    /// Applies `changes`, written at `deltaTime`, to `subEntities`, recording decisions in `tally`.
    static func merge(
        _ changes: [SubEntityDelta], deltaTime: HybridTimestamp,
        into subEntities: inout [UUID: SubEntityState], tally: inout MergeTally
    ) {
        for change in changes {
            let part = "\(change.collection)[\(change.techId.uuidString)]"
            let existing = subEntities[change.techId]
            switch change.operation {
            case .delete:
                let deletedTime = change.deletedTime ?? deltaTime
                if let existing, existing.isDeleted, let stamped = existing.deletedTime, stamped <= deletedTime {
                    tally.record(.alreadyHave, part: part)
                    continue
                }
                subEntities[change.techId] = SubEntityState(
                    collection: existing?.collection ?? change.collection, techId: change.techId,
                    parentId: existing?.parentId ?? change.parentId, fields: [:], isDeleted: true, deletedTime: deletedTime
                )
                tally.record(.accept, part: part)
                tally.partialSubEntities.append(
                    SubEntityDelta(
                        operation: .delete, collection: change.collection, techId: change.techId, parentId: change.parentId,
                        deletedTime: deletedTime
                    )
                )
            case .create, .update:
                guard var live = existing else {
                    subEntities[change.techId] = SubEntityState(
                        collection: change.collection, techId: change.techId, parentId: change.parentId, fields: change.fields
                    )
                    tally.record(.accept, part: part)
                    tally.partialSubEntities.append(change.with(operation: .create, fields: change.fields))
                    continue
                }
                if live.isDeleted {
                    tally.record(.reject, part: part)
                    continue
                }
                let accepted = LastWriterWins.mergeFields(change.fields, into: &live.fields, prefix: part + ".", tally: &tally)
                subEntities[change.techId] = live
                if !accepted.isEmpty {
                    tally.partialSubEntities.append(change.with(operation: .update, fields: accepted))
                }
            }
        }
    }
}

extension SubEntityDelta {
    /// A copy with another operation and fields.
    func with(operation: SubEntityOperation, fields: [String: TimedValue]) -> SubEntityDelta {
        SubEntityDelta(operation: operation, collection: collection, techId: techId, parentId: parentId, fields: fields)
    }
}
