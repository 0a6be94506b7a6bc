/// What ServiceLifecycle's debug lines ("Starting service", "Service finished") name each of
/// Arbor's services by. Without these a struct service prints every stored property, loggers
/// and closures included (`ClientWatcher(clients: …, logger: Logging.Logger(_storage: …))`).

extension ClientWatcher: CustomStringConvertible {
    public var description: String { "ClientWatcher (clients-table changes)" }
}

extension LogTrimmer: CustomStringConvertible {
    public var description: String { "LogTrimmer (delta log retention)" }
}

extension ClientDirectory: CustomStringConvertible {
    public var description: String { "ClientDirectory (the clients table)" }
}

extension LogTail: CustomStringConvertible {
    public var description: String { "LogTail (new delta log records)" }
}

extension CacheServer: CustomStringConvertible {
    public var description: String { "CacheServer" }
}

extension FatherLink: CustomStringConvertible {
    public var description: String { "FatherLink (downloads from and uploads to the father)" }
}

extension MasterRole: CustomStringConvertible {
    public var description: String { "MasterRole (the site's master election and duties)" }
}

extension SiteBalancer: CustomStringConvertible {
    public var description: String { "SiteBalancer (the site's process list)" }
}

extension CenterLinkShare: CustomStringConvertible {
    public var description: String { "CenterLinkShare (the master's link state)" }
}

extension StatusSampler: CustomStringConvertible {
    var description: String { "StatusSampler (the status page's lag history)" }
}
