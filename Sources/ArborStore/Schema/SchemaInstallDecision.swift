import ArborCore
import Foundation

/// What `install` does with the configured schema, given what the database holds: the one
/// rule both backends follow (issue 10 item 9).
enum SchemaInstallDecision: Equatable {
    /// No schema stored yet: store the configured one as the first of the history.
    case fresh
    /// The configured schema is the stored one: nothing to change.
    case unchanged(SchemaHistory)
    /// `arbor schema apply` of an additive successor: add tables and columns, append it.
    case upgrade(SchemaHistory, SchemaEvolution.Additions)

    /// Decides, refusing with `.schemaMismatch` (nothing changed): another schema without
    /// `upgrading`, an older schema (a downgrade), a non-additive one, the same name with other
    /// content, or a stored history that cannot be read.
    static func decide(stored: [StoredSchema], configured: DistributionSchema, upgrading: Bool) throws(StoreError) -> SchemaInstallDecision {
        guard !stored.isEmpty else { return .fresh }
        let history = try decodeHistory(stored)
        let current = history.current
        if configured.name != current.name {
            if history.isOlder(configured.name) {
                throw StoreError(
                    .schemaMismatch,
                    "schema '\(configured.name)' is older than the current schema '\(current.name)' of this database: downgrades are refused and nothing was changed; configure '\(current.name)' (or a newer additive schema with `arbor schema apply`)"
                )
            }
            if !upgrading {
                throw StoreError(
                    .schemaMismatch,
                    "database holds schema '\(current.name)', this site is configured with '\(configured.name)': to upgrade the database to '\(configured.name)', run `arbor schema apply` with that schema; otherwise configure the schema file of '\(current.name)' (schemaFile or --schema)"
                )
            }
        }
        do {
            let next = try history.applying(configured)
            let additions = try SchemaEvolution.additions(from: current, to: configured)
            return next == history ? .unchanged(history) : .upgrade(next, additions)
        } catch {
            throw StoreError(.schemaMismatch, error.message + "; nothing was changed")
        }
    }

    /// The stored history as schemas; a text that no longer decodes is `.schemaMismatch`.
    static func decodeHistory(_ stored: [StoredSchema]) throws(StoreError) -> SchemaHistory {
        var schemas: [DistributionSchema] = []
        for entry in stored {
            do {
                schemas.append(try DistributionSchema.decodeJSON(Data(entry.text.utf8)))
            } catch {
                throw StoreError(.schemaMismatch, "stored schema '\(entry.name)' cannot be read (\(error)): the schema history of this database is damaged")
            }
        }
        do {
            return try SchemaHistory(schemas)
        } catch {
            throw StoreError(.schemaMismatch, "the stored schema history is not a chain of additive upgrades: \(error.message)")
        }
    }
}
