/// Naming rules shared by classes, fields and collections.
enum SchemaNames {
    /// Header names every entity has; declared fields may not reuse them.
    static let reserved: Set<String> = ["techid", "topics", "updatetime", "incache", "deleted", "parentid", "fieldtimes"]

    static func validateIdentifier(_ name: String, kind: String) throws(SchemaError) {
        guard let first = name.unicodeScalars.first, name.count <= 63,
              first.properties.isAlphabetic && first.isASCII || first == "_",
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_") })
        else { throw .invalidIdentifier(name, kind: kind) }
    }

    static func validateFields(_ fields: [FieldDefinition], owner: String) throws(SchemaError) {
        var seen = Set<String>()
        for field in fields {
            try validateIdentifier(field.name, kind: "field")
            guard !reserved.contains(field.name.lowercased()) else { throw .reservedFieldName(field.name, in: owner) }
            guard seen.insert(field.name.lowercased()).inserted else { throw .duplicateName(field.name, in: owner) }
        }
    }

    static func validateCollections(_ collections: [SubEntityCollection], owner: String) throws(SchemaError) {
        var seen = Set<String>()
        for collection in collections {
            try validateIdentifier(collection.name, kind: "collection")
            guard seen.insert(collection.name.lowercased()).inserted else { throw .duplicateName(collection.name, in: owner) }
            try validateFields(collection.fields, owner: "\(owner).\(collection.name)")
            try validateCollections(collection.collections, owner: "\(owner).\(collection.name)")
        }
    }
}
