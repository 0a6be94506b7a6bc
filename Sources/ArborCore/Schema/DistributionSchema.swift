/// The distribution schema (§4.4): entity classes, their fields and sub-entity collections.
///
/// The `name` carries a version (`retail-v3`); a schema change must change the name, and
/// sites refuse delta buffers stamped with another name.
public struct DistributionSchema: Codable, Hashable, Sendable {
    public var name: String
    public var classes: [EntityClass]

    public init(name: String, classes: [EntityClass]) throws(SchemaError) {
        self.name = name
        self.classes = classes
        try validate()
    }

    /// The class called `name`, if any.
    public func entityClass(named name: String) -> EntityClass? {
        classes.first { $0.name == name }
    }

    /// The class called `name`, or an error naming the unknown class.
    public func requireClass(_ name: String) throws(SchemaError) -> EntityClass {
        guard let found = entityClass(named: name) else { throw .unknownClass(name, schema: self.name) }
        return found
    }

    /// Checks names, uniqueness and reserved words; loaders call this after decoding.
    public func validate() throws(SchemaError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidSchemaName(name)
        }
        guard !classes.isEmpty else { throw .noClasses }
        var seen = Set<String>()
        for entityClass in classes {
            guard seen.insert(entityClass.name.lowercased()).inserted else { throw .duplicateName(entityClass.name, in: "schema") }
            try entityClass.validate()
        }
    }
}

/// A first-class entity class.
public struct EntityClass: Codable, Hashable, Sendable {
    public var name: String
    public var fields: [FieldDefinition]
    public var collections: [SubEntityCollection]

    public init(name: String, fields: [FieldDefinition], collections: [SubEntityCollection] = []) {
        self.name = name
        self.fields = fields
        self.collections = collections
    }

    enum CodingKeys: String, CodingKey { case name, fields, collections }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        fields = try container.decode([FieldDefinition].self, forKey: .fields)
        collections = try container.decodeIfPresent([SubEntityCollection].self, forKey: .collections) ?? []
    }

    /// The fields deltas carry: the `deleted` flag first, then the declared fields.
    public var storedFields: [FieldDefinition] { [.deleted] + fields }

    /// The stored field called `name`, if any.
    public func field(named name: String) -> FieldDefinition? {
        name == FieldDefinition.deleted.name ? .deleted : fields.first { $0.name == name }
    }

    /// Every collection, nested ones included, in pre-order, with its dotted path (`lines.taxes`).
    public var collectionPaths: [(path: String, collection: SubEntityCollection)] {
        collections.flatMap { $0.pathsPrefixed(by: nil) }
    }

    /// The collection at the dotted `path`, if any.
    public func collection(atPath path: String) -> SubEntityCollection? {
        collectionPaths.first { $0.path == path }?.collection
    }

    func validate() throws(SchemaError) {
        try SchemaNames.validateIdentifier(name, kind: "class")
        try SchemaNames.validateFields(fields, owner: name)
        try SchemaNames.validateCollections(collections, owner: name)
    }
}

/// A collection of second-class sub-entities inside an entity or another sub-entity.
public struct SubEntityCollection: Codable, Hashable, Sendable {
    public var name: String
    public var fields: [FieldDefinition]
    public var collections: [SubEntityCollection]

    public init(name: String, fields: [FieldDefinition], collections: [SubEntityCollection] = []) {
        self.name = name
        self.fields = fields
        self.collections = collections
    }

    enum CodingKeys: String, CodingKey { case name, fields, collections }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        fields = try container.decode([FieldDefinition].self, forKey: .fields)
        collections = try container.decodeIfPresent([SubEntityCollection].self, forKey: .collections) ?? []
    }

    /// The field called `name`, if any.
    public func field(named name: String) -> FieldDefinition? {
        fields.first { $0.name == name }
    }

    func pathsPrefixed(by prefix: String?) -> [(path: String, collection: SubEntityCollection)] {
        let path = prefix.map { "\($0).\(name)" } ?? name
        return [(path, self)] + collections.flatMap { $0.pathsPrefixed(by: path) }
    }
}
