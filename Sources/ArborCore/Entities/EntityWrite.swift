import Foundation

/// An application's change of one entity, as the entities sub-system receives it (§3, §4.1).
public struct EntityWrite: Hashable, Sendable {
    /// What the write does.
    public enum Kind: Hashable, Sendable {
        /// A new entity; `inCache` is fixed from now on (§3.6).
        case create(inCache: Bool)
        /// Changes some fields, the topics and/or sub-entities of an existing entity.
        case update
        /// Logical delete: sets the `deleted` flag (DESIGN rule 8).
        case delete
        /// Physical removal at this site only; emits a DELETE for cache servers (§2.5).
        case purge

        /// Whether this is a create.
        public var isCreate: Bool {
            if case .create = self { return true }
            return false
        }
    }

    public var kind: Kind
    public var entityClass: String
    public var techId: UUID
    /// The application topics; required for a create, nil in an update leaves them unchanged.
    public var topics: TopicsList?
    /// Field values by declared name (the `deleted` flag is set by ``Kind/delete``).
    public var fields: [String: FieldValue]
    public var subEntities: [SubEntityWrite]

    public init(
        _ kind: Kind, entityClass: String, techId: UUID, topics: TopicsList? = nil,
        fields: [String: FieldValue] = [:], subEntities: [SubEntityWrite] = []
    ) {
        self.kind = kind
        self.entityClass = entityClass
        self.techId = techId
        self.topics = topics
        self.fields = fields
        self.subEntities = subEntities
    }
}

/// An application's change of one sub-entity, inside its entity's write.
public struct SubEntityWrite: Hashable, Sendable {
    public var operation: SubEntityOperation
    /// Dotted collection path (`lines`, `lines.taxes`).
    public var collection: String
    public var techId: UUID
    /// The owning entity's tech-id for a top-level collection, else the parent sub-entity's.
    public var parentId: UUID
    public var fields: [String: FieldValue]

    public init(_ operation: SubEntityOperation, collection: String, techId: UUID, parentId: UUID, fields: [String: FieldValue] = [:]) {
        self.operation = operation
        self.collection = collection
        self.techId = techId
        self.parentId = parentId
        self.fields = fields
    }
}
