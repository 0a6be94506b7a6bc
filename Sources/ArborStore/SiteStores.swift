import Logging

/// Opens the store of the backend a configuration names.
public enum SiteStores {
    /// A `PostgresSiteStore` for `postgres://` locations, an `SQLiteSiteStore` for `sqlite:` ones.
    public static func open(_ configuration: StoreConfiguration, logger: Logger) async throws(StoreError) -> any SiteStore {
        switch configuration.location {
        case .postgres: return try await PostgresSiteStore.open(configuration, logger: logger)
        case .sqlite: return try await SQLiteSiteStore.open(configuration)
        }
    }
}
