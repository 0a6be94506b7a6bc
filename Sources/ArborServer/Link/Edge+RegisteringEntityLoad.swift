import ArborCore
import ArborEdge
import ArborStore

extension Edge {
    /// Asks the father for `keys` whole with a registering targeted load (``EntityLoadRequest``),
    /// so this site hears their later changes, and merges what it sends as `.father` into
    /// `entities`. Returns the topics each sent entity came with; the father holds no others.
    func mergeRegisteringLoad(
        of keys: some Collection<EntityKey>, slice: String, into entities: EntitiesSubsystem
    ) async throws -> [EntityKey: TopicsList] {
        let refs = keys.sorted { ($0.entityClass, $0.techId.uuidString) < ($1.entityClass, $1.techId.uuidString) }
            .map { EntityRef($0.entityClass, $0.techId) }
        let load = try await entityLoad(entities: refs, slice: slice, registering: true)
        var sentTopics: [EntityKey: TopicsList] = [:]
        for buffer in load.buffers where !buffer.deltas.isEmpty {
            try await entities.apply(buffer, from: .father)
            for delta in buffer.deltas { sentTopics[delta.key] = delta.topics }
        }
        return sentTopics
    }
}
