import ArborCore

/// Table and column names of the entity tables generated from the distribution schema,
/// shared by both backends so they store entities the same way.
///
/// Per class `{prefix}e_{class}`: `tech_id`, `topics`, `topics_time`, `update_time`,
/// `in_cache`, and per stored field (the `deleted` flag first) a value column `f_{field}` and a
/// write-time column `t_{field}`. Per sub-entity collection `{prefix}s_{class}__{path}` (path
/// segments joined by `__`): `tech_id`, `entity_id`, `parent_id`, `is_deleted`, `deleted_time`
/// and the same field column pairs. Names are lower-cased (schema names are unique ignoring case).
public struct EntityTableLayout: Hashable, Sendable {
    /// PostgreSQL's identifier limit; SQLite has none but both backends share names.
    public static let maximumIdentifierLength = 63

    public let entityClass: EntityClass
    public let table: String
    public let fieldColumns: [FieldColumns]
    public let collections: [CollectionLayout]

    /// The columns of one field.
    public struct FieldColumns: Hashable, Sendable {
        public let field: FieldDefinition
        public let value: String
        public let time: String
    }

    /// The table of one sub-entity collection.
    public struct CollectionLayout: Hashable, Sendable {
        /// Dotted path in the class (`lines.taxes`).
        public let path: String
        public let table: String
        public let fieldColumns: [FieldColumns]
    }

    /// The layout of `entityClass` under `prefix`; throws when a generated name is too long.
    public init(_ entityClass: EntityClass, prefix: TablePrefix) throws(StoreError) {
        self.entityClass = entityClass
        let base = entityClass.name.lowercased()
        table = try Self.checked(prefix.table("e_\(base)"))
        fieldColumns = entityClass.storedFields.map(Self.columns)
        collections = try entityClass.collectionPaths.map { (path, collection) throws(StoreError) in
            let segments = path.split(separator: ".").map { $0.lowercased() }.joined(separator: "__")
            return CollectionLayout(
                path: path, table: try Self.checked(prefix.table("s_\(base)__\(segments)")),
                fieldColumns: collection.fields.map(Self.columns)
            )
        }
    }

    /// The layouts of every class of `schema`.
    public static func all(_ schema: DistributionSchema, prefix: TablePrefix) throws(StoreError) -> [EntityTableLayout] {
        try schema.classes.map { (entityClass) throws(StoreError) in try EntityTableLayout(entityClass, prefix: prefix) }
    }

    /// The collection layout at `path`, if any.
    public func collection(atPath path: String) -> CollectionLayout? {
        collections.first { $0.path == path }
    }

    static func columns(_ field: FieldDefinition) -> FieldColumns {
        let name = field.name.lowercased()
        return FieldColumns(field: field, value: "f_\(name)", time: "t_\(name)")
    }

    static func checked(_ identifier: String) throws(StoreError) -> String {
        guard identifier.count <= maximumIdentifierLength else {
            throw StoreError(
                .invalidConfiguration,
                "generated table name '\(identifier)' is longer than \(maximumIdentifierLength) characters: shorten the class or collection names, or the table prefix"
            )
        }
        return identifier
    }
}
