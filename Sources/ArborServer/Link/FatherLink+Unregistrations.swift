import ArborCore
import ArborEdge
import ArborStore

/// A son drops entities it no longer holds (its slice narrowed, the father no longer holds them)
/// and unregisters them at its father. The two happen on two machines, so the entities dropped
/// are written to site state (``unregisterPendingKey``) in the drop's own transaction and the
/// record is cleared only once the father answered the unregistration: a link cut or killed in
/// between sends it at its next answer or slice change. Without it the father kept the son
/// registered and synchronized on entities the son lacked, and a PartialLoad of a later wider
/// slice skipped them as already held (nemesis long run, seed 20261203: 844 entities missing
/// at east and its leaf).
extension FatherLink {
    /// The entities dropped here whose unregistration the father has not answered yet (``PendingEntities``).
    public static let unregisterPendingKey = "link.father.unregister-pending"

    /// Drops `expected` (those still at their update time) and unregisters them at the father;
    /// returns the ones dropped.
    func dropAndUnregister(_ expected: [EntityKey: HybridTimestamp], edge: Edge, fetchedThrough position: Int64) async throws -> Set<EntityKey> {
        let pending = try await pendingUnregistrations()
        let dropped = try await context.entities.dropLocally(expected, recordingUnder: Self.unregisterPendingKey, known: pending)
        try await sendPendingUnregistrations(edge: edge, fetchedThrough: position)
        return dropped
    }

    /// Sends the recorded unregistrations, if any, and clears the record.
    func sendPendingUnregistrations(edge: Edge, fetchedThrough position: Int64) async throws {
        let pending = try await pendingUnregistrations()
        guard !pending.isEmpty else { return }
        let refs = pending.entities.keys.sorted { $0.techId.byteOrder < $1.techId.byteOrder }.map { EntityRef($0.entityClass, $0.techId) }
        try await edge.unregisterEntities(refs, sequence: edge.sequence, fetchedThrough: position)
        try await context.store.setSiteState(Self.unregisterPendingKey, "")
    }

    /// A load registered this site on `buffers`' entities again: an unregistration still
    /// pending for one of them must not follow, or the father would stop sending its changes.
    func keepRegistered(_ buffers: [DeltaBuffer]) async throws {
        var pending = try await pendingUnregistrations()
        guard !pending.isEmpty else { return }
        let loaded = Set(buffers.lazy.flatMap(\.deltas).map(\.key))
        let before = pending.entities.count
        pending.entities = pending.entities.filter { !loaded.contains($0.key) }
        if pending.entities.count != before { try await context.store.setSiteState(Self.unregisterPendingKey, pending.text) }
    }

    private func pendingUnregistrations() async throws -> PendingEntities {
        PendingEntities(text: try await context.store.siteState(Self.unregisterPendingKey) ?? "")
    }
}
