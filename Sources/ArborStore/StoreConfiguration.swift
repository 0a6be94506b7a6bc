import ArborCore

/// How to open a site's store. Read from files, environment or flags by the executable, then
/// passed in whole (libraries never read the environment).
public struct StoreConfiguration: Sendable {
    public var location: DatabaseLocation
    public var schema: DistributionSchema
    public var prefix: TablePrefix
    /// The site's name (`center` at the root), stamped on every log buffer.
    public var siteName: String

    public init(location: DatabaseLocation, schema: DistributionSchema, prefix: TablePrefix = .standard, siteName: String) {
        self.location = location
        self.schema = schema
        self.prefix = prefix
        self.siteName = siteName
    }
}
