import ArborCore
import Foundation

/// Names one entity: its class and tech-id.
public struct EntityKey: Hashable, Sendable, CustomStringConvertible {
    public var entityClass: String
    public var techId: UUID

    public init(_ entityClass: String, _ techId: UUID) {
        self.entityClass = entityClass
        self.techId = techId
    }

    public var description: String { "\(entityClass) \(techId.uuidString)" }
}

extension EntityState {
    /// This entity's key.
    public var key: EntityKey { EntityKey(entityClass, techId) }
}

extension Delta {
    /// The key of the entity this delta changes.
    public var key: EntityKey { EntityKey(entityClass, techId) }
}
