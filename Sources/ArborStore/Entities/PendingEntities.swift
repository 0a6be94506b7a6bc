import ArborCore
import Foundation

/// Entities a son's link still has to act on at its father, each with a time, kept in site
/// state and written in the transaction that made the need, so a link stopped before acting
/// (a cut, a kill) still acts after its restart: entities it received changes of but does not
/// hold, with the oldest such change, to load whole (``MissingEntityHandling/remember(under:known:)``);
/// entities it dropped, to unregister (``EntitiesSubsystem/dropLocally(_:recordingUnder:known:)``).
public struct PendingEntities: Hashable, Sendable {
    public var entities: [EntityKey: HybridTimestamp]

    public init(_ entities: [EntityKey: HybridTimestamp] = [:]) {
        self.entities = entities
    }

    public var isEmpty: Bool { entities.isEmpty }

    /// Adds `key`, keeping the older time when it is there already.
    public mutating func insert(_ key: EntityKey, at time: HybridTimestamp) {
        entities[key] = min(entities[key] ?? time, time)
    }

    /// The list as stored: `class/tech-id=microseconds` items joined by `;`, sorted.
    public var text: String {
        entities.map { "\($0.key.entityClass)/\($0.key.techId.uuidString.lowercased())=\($0.value.microseconds)" }.sorted().joined(separator: ";")
    }

    /// The stored list; items that do not parse are left out (empty text: an empty list).
    public init(text: String) {
        entities = [:]
        for item in text.split(separator: ";") {
            let parts = item.split(separator: "=")
            guard parts.count == 2, let micros = Int64(parts[1]), let slash = parts[0].lastIndex(of: "/"),
                  let id = UUID(uuidString: String(parts[0][parts[0].index(after: slash)...])) else { continue }
            insert(EntityKey(String(parts[0][..<slash]), id), at: HybridTimestamp(microseconds: micros))
        }
    }
}
