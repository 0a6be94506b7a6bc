/// Every distribution schema a site's database has held, oldest first; the last is current.
///
/// Log records keep the schema name they were written with, so a record is decoded with the
/// schema it names (``DeltaBufferCodec/decode(_:history:maxBufferSize:)``) after any number of
/// additive upgrades, and a request from a son or edge still on an older schema is understood.
public struct SchemaHistory: Hashable, Sendable {
    /// The schemas in the order they were applied; never empty.
    public private(set) var schemas: [DistributionSchema]

    /// A history of one schema (a new database).
    public init(current: DistributionSchema) {
        schemas = [current]
    }

    /// A history from stored schemas, oldest first; each must follow the one before it
    /// additively (a stored history is checked when read, so a damaged one is noticed).
    public init(_ schemas: [DistributionSchema]) throws(SchemaEvolutionError) {
        guard let first = schemas.first else {
            throw SchemaEvolutionError(.notAdditive, "a schema history needs at least one schema")
        }
        var history = SchemaHistory(current: first)
        for schema in schemas.dropFirst() { history = try history.applying(schema) }
        self = history
    }

    /// The schema in force.
    public var current: DistributionSchema { schemas[schemas.count - 1] }

    /// The schema called `name`, current or older, if this database ever held it.
    public func schema(named name: String) -> DistributionSchema? {
        schemas.last { $0.name == name }
    }

    /// Whether `name` is an older schema than the current one.
    public func isOlder(_ name: String) -> Bool {
        name != current.name && schemas.contains { $0.name == name }
    }

    /// The history after applying `newer`: unchanged when `newer` is the current schema, else
    /// `newer` appended when it follows the current schema additively. Refuses a schema this
    /// database held before (a downgrade), and anything ``SchemaEvolution`` refuses.
    public func applying(_ newer: DistributionSchema) throws(SchemaEvolutionError) -> SchemaHistory {
        if newer.name != current.name, schemas.contains(where: { $0.name == newer.name }) {
            throw SchemaEvolutionError(
                .downgrade,
                "schema '\(newer.name)' is older than the current schema '\(current.name)' of this database: downgrades are refused (they would drop data written under '\(current.name)'); apply '\(current.name)' or a newer additive schema"
            )
        }
        _ = try SchemaEvolution.additions(from: current, to: newer)
        guard newer.name != current.name else { return self }
        var next = self
        next.schemas.append(newer)
        return next
    }
}
