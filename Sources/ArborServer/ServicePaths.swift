/// The URL layout of one Arbor instance (§7.2, §7.3): `/arbor/{instance}/delta/{service}`
/// and `/arbor/{instance}/cache/{service}`.
public struct ServicePaths: Hashable, Sendable {
    /// The instance suffix: letters, digits, `-` or `_` (default `1`, as in the guide).
    public let instance: String

    /// Fails when `instance` is empty or holds characters that do not belong in one URL segment.
    public init?(instance: String) {
        guard !instance.isEmpty, instance.count <= 32,
              instance.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_") })
        else { return nil }
        self.instance = instance
    }

    /// `GET` here answers whether the delta server is up.
    public var deltaRoot: String { "/arbor/\(instance)/delta" }
    /// `GET` here answers whether the cache server is up.
    public var cacheRoot: String { "/arbor/\(instance)/cache" }

    /// The status page of the site (HTML), served by every process.
    public var statusPage: String { "/arbor/\(instance)/status" }
    /// The same report as JSON (``SiteStatusReport``).
    public var statusJSON: String { "/arbor/\(instance)/status.json" }

    /// The path of a delta-server service such as `fetch`.
    public func delta(_ service: String) -> String { "\(deltaRoot)/\(service)" }
    /// The path of a cache-server service such as `full-load`.
    public func cache(_ service: String) -> String { "\(cacheRoot)/\(service)" }
}
