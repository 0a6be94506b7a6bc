import ArborCore

/// A son upgraded to a newer schema reloads its slice once: while it ran the older schema its
/// father cut every answer down to that schema, so values of the new fields written meanwhile
/// (and entities of new classes) would otherwise reach it only with a later change of each.
extension FatherLink {
    /// Site-state key: the schema name this son's data from its father was last loaded under.
    public static let loadedSchemaKey = "link.father.schema"

    /// Whether the son's schema changed since its last load from the father. A son from before
    /// the key was kept starts recording it without reloading.
    func schemaChangedSinceLoad() async throws -> Bool {
        guard let loaded = try await context.store.siteState(Self.loadedSchemaKey) else {
            try await recordLoadedSchema()
            return false
        }
        if loaded != context.schema.name {
            logger.notice("father link: this site's schema changed from '\(loaded)' to '\(context.schema.name)'; reloading its slice so values written under the new schema arrive")
            return true
        }
        return false
    }

    /// Records that the son's data is loaded under its current schema.
    func recordLoadedSchema() async throws {
        try await context.store.setSiteState(Self.loadedSchemaKey, context.schema.name)
    }
}
