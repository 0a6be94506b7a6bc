import ArborCore
import Foundation

/// Entities a link received changes of but does not hold, each with the oldest time of such a
/// change: the son must load them whole from its father. Kept in site state, written in the
/// transaction that skipped their changes (``MissingEntityHandling/remember(under:known:)``),
/// so a link stopped before the load still loads them after its restart.
public struct MissingEntityList: Hashable, Sendable {
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
