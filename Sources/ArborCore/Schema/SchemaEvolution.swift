/// Whether one distribution schema may follow another in a running tree, and what it adds.
///
/// An upgrade is **additive** when everything the older schema declares is still there, with
/// the same meaning, so that every delta valid under the older schema is valid under the newer
/// one, and every delta of the newer one can be cut down to the older one by dropping what the
/// older one does not know (``DeltaBuffer/projected(onto:)``). Precisely, from `older` to `newer`:
///
/// - the schema name changes (a schema change must change the name);
/// - every class of `older` is in `newer` (same name, exact spelling);
/// - in such a class, and in every collection (nested ones too) found at the same dotted path,
///   every field is kept with the same type and the same nullability;
/// - new fields of kept classes and collections are nullable: rows and deltas written under the
///   older schema never carry them;
/// - new classes, new collections (at any depth) and their fields are free.
///
/// Everything else (a removed or renamed class, field or collection, a changed type, a change
/// of nullability either way) is refused: a site on the older schema could not apply a delta of
/// the newer one, or the reverse. Order does not matter: each buffer is decoded with the schema
/// whose name it carries.
public enum SchemaEvolution {
    /// What an additive upgrade adds.
    public struct Additions: Hashable, Sendable {
        /// Names of the classes `newer` adds.
        public var classes: [String] = []
        /// Fields added to kept classes: class name → field definitions.
        public var classFields: [String: [FieldDefinition]] = [:]
        /// Collections added to kept classes or collections, as `Class` + dotted path.
        public var collections: [CollectionPath] = []
        /// Fields added to kept collections.
        public var collectionFields: [CollectionPath: [FieldDefinition]] = [:]

        /// Whether the upgrade adds nothing at all (only the name changed).
        public var isEmpty: Bool { classes.isEmpty && classFields.isEmpty && collections.isEmpty && collectionFields.isEmpty }
    }

    /// One collection of one class: `Order` + `lines.taxes`.
    public struct CollectionPath: Hashable, Sendable, CustomStringConvertible {
        public var entityClass: String
        public var path: String

        public init(entityClass: String, path: String) {
            self.entityClass = entityClass
            self.path = path
        }

        public var description: String { "\(entityClass).\(path)" }
    }

    /// Checks that `newer` may follow `older`; returns what it adds, or throws an error that
    /// names every change that is not additive.
    public static func additions(from older: DistributionSchema, to newer: DistributionSchema) throws(SchemaEvolutionError) -> Additions {
        guard older.name != newer.name else {
            if older == newer { return Additions() }
            throw SchemaEvolutionError(.sameNameChanged, "schema '\(newer.name)' differs from the stored schema of the same name: a changed schema needs a new name (e.g. '\(newer.name)-next')")
        }
        var problems: [String] = []
        var additions = Additions()
        for oldClass in older.classes {
            guard let newClass = newer.entityClass(named: oldClass.name) else {
                problems.append("class '\(oldClass.name)' is removed or renamed")
                continue
            }
            if let added = compareFields(oldClass.fields, newClass.fields, owner: oldClass.name, problems: &problems), !added.isEmpty {
                additions.classFields[oldClass.name] = added
            }
            let newPaths = Dictionary(newClass.collectionPaths.map { ($0.path, $0.collection) }, uniquingKeysWith: { first, _ in first })
            let oldPaths = Set(oldClass.collectionPaths.map(\.path))
            for (path, oldCollection) in oldClass.collectionPaths {
                let location = CollectionPath(entityClass: oldClass.name, path: path)
                guard let newCollection = newPaths[path] else {
                    problems.append("collection '\(location)' is removed or renamed")
                    continue
                }
                if let added = compareFields(oldCollection.fields, newCollection.fields, owner: location.description, problems: &problems), !added.isEmpty {
                    additions.collectionFields[location] = added
                }
            }
            additions.collections += newClass.collectionPaths.map(\.path).filter { !oldPaths.contains($0) }
                .map { CollectionPath(entityClass: oldClass.name, path: $0) }
        }
        additions.classes = newer.classes.map(\.name).filter { older.entityClass(named: $0) == nil }
        guard problems.isEmpty else {
            throw SchemaEvolutionError(
                .notAdditive,
                "schema '\(newer.name)' cannot follow '\(older.name)': \(problems.joined(separator: "; ")). Only additive changes roll through a running tree: add classes, collections and nullable fields, never remove, rename or retype"
            )
        }
        return additions
    }

    /// The fields `newer` adds to `older`'s, or nil when one of `older`'s is missing or changed
    /// (each problem appended).
    private static func compareFields(
        _ older: [FieldDefinition], _ newer: [FieldDefinition], owner: String, problems: inout [String]
    ) -> [FieldDefinition]? {
        let before = problems.count
        for field in older {
            guard let kept = newer.first(where: { $0.name == field.name }) else {
                problems.append("field '\(owner).\(field.name)' is removed or renamed")
                continue
            }
            if kept.type != field.type {
                problems.append("field '\(owner).\(field.name)' changes type from \(field.type.rawValue) to \(kept.type.rawValue)")
            }
            if kept.nullable != field.nullable {
                problems.append("field '\(owner).\(field.name)' changes from \(field.nullable ? "nullable" : "not nullable") to \(kept.nullable ? "nullable" : "not nullable")")
            }
        }
        let added = newer.filter { field in !older.contains { $0.name == field.name } }
        for field in added where !field.nullable {
            problems.append("new field '\(owner).\(field.name)' must be nullable (rows and deltas of the older schema do not carry it)")
        }
        return problems.count == before ? added : nil
    }
}
