import Foundation

/// One change of one entity: a first-class delta object (§2.6, §4).
///
/// Fields travel with the time they were written, so receivers can merge them field by field.
/// `topics` are the routing topics: the entity's application topics plus any `#` site topics.
public struct Delta: Hashable, Sendable {
    public var operation: DeltaOperation
    public var entityClass: String
    public var techId: UUID
    /// The entity's update time: the latest of its field times.
    public var updateTime: HybridTimestamp
    public var topics: TopicsList
    /// The entity's application topics before this change (PARTIAL, FULL, UPDATE); nil otherwise.
    public var oldTopics: TopicsList?
    /// When this delta writes the entity's topics, the time of that write; nil when it does not.
    public var topicsTime: HybridTimestamp?
    /// Whether the entity is kept whole in cache servers (§3.6); fixed at creation.
    public var inCache: Bool
    /// Written fields by name (the `deleted` flag included), each with its write time.
    public var fields: [String: TimedValue]
    /// Changes of sub-entities of this entity, in order.
    public var subEntities: [SubEntityDelta]
    /// For ``DeltaOperation/register``: how the named client's registration changes.
    public var registration: RegistrationChange?

    public init(
        operation: DeltaOperation,
        entityClass: String,
        techId: UUID,
        updateTime: HybridTimestamp,
        topics: TopicsList,
        oldTopics: TopicsList? = nil,
        topicsTime: HybridTimestamp? = nil,
        inCache: Bool = true,
        fields: [String: TimedValue] = [:],
        subEntities: [SubEntityDelta] = [],
        registration: RegistrationChange? = nil
    ) {
        self.operation = operation
        self.entityClass = entityClass
        self.techId = techId
        self.updateTime = updateTime
        self.topics = topics
        self.oldTopics = oldTopics
        self.topicsTime = topicsTime
        self.inCache = inCache
        self.fields = fields
        self.subEntities = subEntities
        self.registration = registration
    }

    /// A REGISTER delta addressed by `namingTopic` (§2.6.3).
    public static func register(
        entityClass: String, techId: UUID, updateTime: HybridTimestamp, namingTopic: String, change: RegistrationChange
    ) -> Delta {
        Delta(
            operation: .register, entityClass: entityClass, techId: techId, updateTime: updateTime,
            topics: TopicsList(validated: [namingTopic]), registration: change
        )
    }

    /// Checks class, fields, types and sub-entity collections against `schema`.
    public func validate(against schema: DistributionSchema) throws(SchemaError) {
        let entityClass = try schema.requireClass(self.entityClass)
        for (name, timed) in fields {
            guard let field = entityClass.field(named: name) else { throw .unknownField(name, in: entityClass.name) }
            try timed.value.check(against: field)
        }
        for sub in subEntities {
            try sub.validate(in: entityClass)
        }
    }
}

/// A change of one sub-entity (second class), carried inside its entity's delta.
public struct SubEntityDelta: Hashable, Sendable {
    public var operation: SubEntityOperation
    /// Dotted path of the collection in its class (`lines`, `lines.taxes`).
    public var collection: String
    public var techId: UUID
    /// The owning entity's or sub-entity's tech-id.
    public var parentId: UUID
    /// Written fields by name, each with its write time (empty for DELETE).
    public var fields: [String: TimedValue]
    /// For DELETE: when the sub-entity was deleted, so a relayed tombstone keeps its own time.
    /// Nil means the time of the carrying delta.
    public var deletedTime: HybridTimestamp?

    public init(
        operation: SubEntityOperation, collection: String, techId: UUID, parentId: UUID,
        fields: [String: TimedValue] = [:], deletedTime: HybridTimestamp? = nil
    ) {
        self.operation = operation
        self.collection = collection
        self.techId = techId
        self.parentId = parentId
        self.fields = fields
        self.deletedTime = deletedTime
    }

    func validate(in entityClass: EntityClass) throws(SchemaError) {
        guard let collection = entityClass.collection(atPath: collection) else {
            throw .unknownCollection(self.collection, in: entityClass.name)
        }
        for (name, timed) in fields {
            guard let field = collection.field(named: name) else { throw .unknownField(name, in: "\(entityClass.name).\(self.collection)") }
            try timed.value.check(against: field)
        }
    }
}

/// The deltas of one committed transaction, as stored in a site's log and sent to clients.
public struct DeltaBuffer: Hashable, Sendable {
    /// The schema name the deltas were encoded with (§4.4).
    public var schemaName: String
    /// The site whose log holds this transaction.
    public var originSite: String
    /// The transaction's position in the origin site's log.
    public var sequence: Int64
    public var deltas: [Delta]

    public init(schemaName: String, originSite: String, sequence: Int64, deltas: [Delta]) {
        self.schemaName = schemaName
        self.originSite = originSite
        self.sequence = sequence
        self.deltas = deltas
    }
}
