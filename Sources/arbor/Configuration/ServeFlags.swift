/// The flags of `arbor serve` that set a setting, typed by ArgumentParser: nil (or false)
/// when not given, so the file and the environment keep their value.
struct ServeFlags: Sendable, Equatable {
    var database: String?
    var site: String?
    var host: String?
    var port: Int?
    var instance: String?
    var tablePrefix: String?
    var schemaFile: String?
    var servers: [String]?
    var permitsFile: String?
    var maximumConnections: Int?
    var idleTimeoutSeconds: Int?
    var plainHTTP = false
    var allowAnonymousReads = false
}

extension ServeConfiguration {
    /// Applies the flags given, the last of the three layers.
    mutating func apply(flags: ServeFlags) {
        if let value = flags.database { database = value }
        if let value = flags.site { site = value }
        if let value = flags.host { host = value }
        if let value = flags.port { port = value }
        if let value = flags.instance { instance = value }
        if let value = flags.tablePrefix { tablePrefix = value }
        if let value = flags.schemaFile { schemaFile = value }
        if let value = flags.servers { servers = value }
        if let value = flags.permitsFile { permitsFile = value }
        if let value = flags.maximumConnections { maximumConnections = value }
        if let value = flags.idleTimeoutSeconds { idleTimeoutSeconds = value }
        if flags.plainHTTP { plainHTTP = true }
        if flags.allowAnonymousReads { allowAnonymousReads = true }
    }
}
