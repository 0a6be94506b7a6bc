extension DeltaBufferCodec {
    /// What encoding and decoding need of one entity class, worked out once per buffer instead
    /// of once per delta: `storedFields` and `collectionPaths` build new arrays (and path
    /// strings) on every call, and finding a field by name scans the class.
    struct ClassLayout {
        let entityClass: EntityClass
        let storedFields: [FieldDefinition]
        let fieldIndexes: [String: Int]
        let collections: [(path: String, collection: SubEntityCollection)]
        let collectionIndexes: [String: Int]
        /// Per collection, its fields' indexes by name.
        let collectionFieldIndexes: [[String: Int]]

        init(_ entityClass: EntityClass) {
            self.entityClass = entityClass
            storedFields = entityClass.storedFields
            fieldIndexes = Self.indexes(storedFields.map(\.name))
            collections = entityClass.collectionPaths
            collectionIndexes = Self.indexes(collections.map(\.path))
            collectionFieldIndexes = collections.map { Self.indexes($0.collection.fields.map(\.name)) }
        }

        /// Each name's first position (schemas refuse duplicate names anyway).
        private static func indexes(_ names: [String]) -> [String: Int] {
            var indexes: [String: Int] = [:]
            for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
            return indexes
        }
    }

    /// The layouts of a schema's classes, each made the first time a delta of the class is met.
    struct ClassLayouts {
        let schema: DistributionSchema
        private var layouts: [ClassLayout?]
        private var classIndexes: [String: Int] = [:]

        init(_ schema: DistributionSchema) {
            self.schema = schema
            layouts = Array(repeating: nil, count: schema.classes.count)
        }

        /// The layout of the class at `index`, which must be in range.
        mutating func layout(at index: Int) -> ClassLayout {
            if let layout = layouts[index] { return layout }
            let layout = ClassLayout(schema.classes[index])
            layouts[index] = layout
            return layout
        }

        /// The index of the class called `name`, if the schema has it.
        mutating func classIndex(named name: String) -> Int? {
            if let index = classIndexes[name] { return index }
            guard let index = schema.classes.firstIndex(where: { $0.name == name }) else { return nil }
            classIndexes[name] = index
            return index
        }
    }

    /// Where in a buffer a value is read or written, for error messages; made into text only
    /// when an error is raised (building it for every delta was a large part of decoding).
    struct DeltaPlace: CustomStringConvertible {
        let number: Int
        var operation: DeltaOperation?
        var className: String?
        var subEntity: (number: Int, path: String?)?

        var description: String {
            var text = "delta \(number)"
            if let operation, let className { text += " (\(operation) \(className))" }
            if let subEntity {
                text += ", sub-entity \(subEntity.number)"
                if let path = subEntity.path { text += " (\(path))" }
            }
            return text
        }

        func sub(_ number: Int, path: String? = nil) -> DeltaPlace {
            var place = self
            place.subEntity = (number, path)
            return place
        }
    }

    /// Topics lists already parsed in one buffer: most deltas of a buffer carry the same few
    /// lists, and parsing (splitting, validating each topic) was a large part of decoding.
    struct ParsedTopics {
        private var parsed: [String: TopicsList] = [:]
        private static let maximumKept = 64

        mutating func list(_ text: String) throws(TopicsError) -> TopicsList {
            if let list = parsed[text] { return list }
            let list = try TopicsList(parsing: text)
            if parsed.count < Self.maximumKept { parsed[text] = list }
            return list
        }
    }
}
