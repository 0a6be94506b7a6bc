import ArborCore
import ArborEdge
import ArborStore
import Foundation

/// Everything `arbor serve` needs, merged from a JSON file, then the environment, then flags
/// (later wins), and validated with messages naming the setting that is wrong. The executable
/// reads the file and the environment and passes them in; this type does no I/O except reading
/// the TLS files it names (ServeConfiguration+TLS.swift).
public struct ServeConfiguration: Sendable, Equatable {
    public var database: String?
    public var site: String = "center"
    public var instance: String = "1"
    public var tablePrefix: String = TablePrefix.standard.value
    public var schemaFile: String?
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var servers: [String] = ["delta", "cache"]
    public var useRegistration: Bool = true
    public var retainedSequences: Int64 = 1_000_000
    /// The father's servers (fail-over order); none at the center.
    public var fatherServers: [String] = []
    /// This site's client id in the father's clients table.
    public var fatherClientId: String?
    /// This site's subscription at its father (the link adds `*!arbor.notson.<id>`).
    public var fatherSlice: String?
    /// A file holding this site's secret at the father (issue 6); the file, not the secret,
    /// is configured so the secret stays out of configuration files and process listings.
    public var fatherClientSecretFile: String?
    /// The URL edges use for this process (`https://branch-2.example:8443`), announced to the
    /// site's other processes for load balancing (§8.1); default: scheme, host and port.
    public var advertisedURL: String?
    /// The host name edges use for the processes of this machine (`arbor@.service`): without
    /// ``advertisedURL``, each process announces scheme://advertisedHost:its port.
    public var advertisedHost: String?
    /// The listener's PEM certificate chain and PEM private key (issue 6); both or neither.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// A PEM CA bundle: clients must present a certificate it signed; its common name is the client id.
    public var tlsClientCAFile: String?
    /// This site's PEM certificate and key for its father, when the father requires client certificates.
    public var fatherClientCertificateFile: String?
    public var fatherClientKeyFile: String?
    /// Serve plain HTTP: only when set explicitly, never as a fallback for missing TLS files.
    public var plainHTTP: Bool = false
    /// Serve unregistered fetches of requests that name no client (issue 11). Off by default:
    /// every request but the status GETs must then come from a client of the clients table.
    /// Anonymous writes are never served.
    public var allowAnonymousReads: Bool = false
    /// A PEM bundle of the CAs trusted for an `https://` father; nil trusts the system's roots.
    public var fatherCAFile: String?
    /// A JSON file mapping client id → the topics its slices may name and the topics of the
    /// entities it may write (the `TopicsPermit` plug, §5.6, issue 11 item 2); without it every
    /// client may use every slice and write every entity.
    public var permitsFile: String?
    /// Selective distribution to proxies (§8.3): subscribe at the father only to
    /// ``fixedTopics`` plus the topics this site's edges use. Only at a son (not the center),
    /// and instead of ``fatherSlice``.
    public var selectiveDistribution: Bool = false
    /// With selective distribution, the topics always received from the father.
    public var fixedTopics: [String] = []
    /// With selective distribution, how long a topic no load or fetch at this site used stays
    /// in the subscription (fractions allowed).
    public var unusedTopicsLifeMinutes: Double = 10
    /// The one size limit from request to log record (issue 10 item 7): the largest request
    /// body and the largest encoded transaction; every decoder accepts buffers of this size.
    /// Use the same value at every site of the tree and in its edges.
    public var maximumTransactionBytes: Int = WriteLimits.defaultMaximumTransactionBytes
    /// How far ahead of this site's clock a received time may be before the delta carrying it
    /// is refused (issue 10 item 8).
    public var maximumClockSkewSeconds: Int64 = HybridClock.defaultMaximumAheadMicroseconds / 1_000_000
    /// How long append request ids (`X-Arbor-Request-Id`) and their outcomes are kept (issue 10 item 13).
    public var appendRequestRetentionSeconds: Int64 = 86_400
    /// The most connections open at once (issue 11 item 5); nil: 900, lowered to fit the
    /// process's file descriptor limit.
    public var maximumConnections: Int?
    /// Seconds a connection may go without a complete request head or body part (issue 11 item 5).
    public var idleTimeoutSeconds: Int = 60
    /// The most bytes of request headers (issue 11 item 6).
    public var maximumHeaderBytes: Int = SocketLimits.defaultMaximumHeaderBytes
    /// The most bytes of request bodies being read at once, all requests together (issue 11 item 6).
    public var requestBodyBudgetBytes: Int = SocketLimits.defaultRequestBodyBudgetBytes
    /// Client ids that may read the status page from another machine (loopback always may).
    public var statusClients: [String] = []
    /// Seconds a son may stay silent before it counts as disconnected (status page, log).
    public var sonTimeoutSeconds: Int64 = 30

    public init() {}

    /// Applies a JSON configuration file's keys (the same names as the properties).
    public mutating func apply(file data: Data, named name: String) throws(ServeConfigurationError) {
        let object = try JSONObjectText.object(data, named: name)
        for (key, value) in object {
            try set(key, String(describing: value is NSNull ? "" : (value as? [Any]).map { $0.map { "\($0)" }.joined(separator: ",") } ?? "\(value)"), source: "\(name): '\(key)'")
        }
    }

    /// Applies the `ARBOR_*` variables found in `environment`.
    public mutating func apply(environment: [String: String]) throws(ServeConfigurationError) {
        for (variable, key) in Self.environmentKeys.sorted(by: { $0.key < $1.key }) {
            if let value = environment[variable] { try set(key, value, source: "environment \(variable)") }
        }
    }

    /// Sets one setting from its text form.
    public mutating func set(_ key: String, _ value: String, source: String) throws(ServeConfigurationError) {
        func number<T: FixedWidthInteger>(_ type: T.Type) throws(ServeConfigurationError) -> T {
            guard let parsed = T(value.trimmingCharacters(in: .whitespaces)) else { throw ServeConfigurationError("\(source) must be a whole number, got '\(value)'") }
            return parsed
        }
        switch key {
        case "database": database = value
        case "site": site = value
        case "instance": instance = value
        case "tablePrefix": tablePrefix = value
        case "schemaFile": schemaFile = value.isEmpty ? nil : value
        case "host": host = value
        case "port": port = try number(Int.self)
        case "servers": servers = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        case "retainedSequences": retainedSequences = try number(Int64.self)
        case "fatherServers": fatherServers = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "fatherClientId": fatherClientId = value.isEmpty ? nil : value
        case "fatherSlice": fatherSlice = value.isEmpty ? nil : value
        case "fatherClientSecretFile": fatherClientSecretFile = value.isEmpty ? nil : value
        case "advertisedURL":
            guard !value.isEmpty else { advertisedURL = nil; return }
            guard let url = EdgeConfiguration.normalizedServerURL(value) else {
                throw ServeConfigurationError("\(source) must be a base URL such as https://branch-2.example:8443, got '\(value)'")
            }
            advertisedURL = url
        case "advertisedHost":
            guard !value.isEmpty else { advertisedHost = nil; return }
            guard EdgeConfiguration.normalizedServerURL("http://\(value):1") != nil, !value.contains(":"), !value.contains("/") else {
                throw ServeConfigurationError("\(source) must be a host name such as branch-east.example.org (no scheme or port), got '\(value)'")
            }
            advertisedHost = value
        case "tlsCertificateFile": tlsCertificateFile = value.isEmpty ? nil : value
        case "tlsKeyFile": tlsKeyFile = value.isEmpty ? nil : value
        case "tlsClientCAFile": tlsClientCAFile = value.isEmpty ? nil : value
        case "fatherClientCertificateFile": fatherClientCertificateFile = value.isEmpty ? nil : value
        case "fatherClientKeyFile": fatherClientKeyFile = value.isEmpty ? nil : value
        case "fatherCAFile": fatherCAFile = value.isEmpty ? nil : value
        case "plainHTTP":
            switch value.lowercased() {
            case "true", "yes", "1": plainHTTP = true
            case "false", "no", "0": plainHTTP = false
            default: throw ServeConfigurationError("\(source) must be true or false, got '\(value)'")
            }
        case "allowAnonymousReads":
            switch value.lowercased() {
            case "true", "yes", "1": allowAnonymousReads = true
            case "false", "no", "0": allowAnonymousReads = false
            default: throw ServeConfigurationError("\(source) must be true or false, got '\(value)'")
            }
        case "permitsFile": permitsFile = value.isEmpty ? nil : value
        case "sonTimeoutSeconds": sonTimeoutSeconds = try number(Int64.self)
        case "statusClients": statusClients = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "selectiveDistribution":
            switch value.lowercased() {
            case "true", "yes", "1": selectiveDistribution = true
            case "false", "no", "0": selectiveDistribution = false
            default: throw ServeConfigurationError("\(source) must be true or false, got '\(value)'")
            }
        case "fixedTopics": fixedTopics = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "unusedTopicsLifeMinutes":
            guard let minutes = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw ServeConfigurationError("\(source) must be a number of minutes, got '\(value)'")
            }
            unusedTopicsLifeMinutes = minutes
        case "maximumTransactionBytes": maximumTransactionBytes = try number(Int.self)
        case "maximumClockSkewSeconds": maximumClockSkewSeconds = try number(Int64.self)
        case "appendRequestRetentionSeconds": appendRequestRetentionSeconds = try number(Int64.self)
        case "useRegistration":
            switch value.lowercased() {
            case "true", "yes", "1": useRegistration = true
            case "false", "no", "0": useRegistration = false
            default: throw ServeConfigurationError("\(source) must be true or false, got '\(value)'")
            }
        default:
            if try setSocketSetting(key, value, source: source) { return }
            throw ServeConfigurationError("\(source) is not a setting\(Self.suggestion(for: key)); see `arbor serve --help` for every key")
        }
    }

    /// Checks every setting and returns the validated parts.
    public func validated() throws(ServeConfigurationError) -> (location: DatabaseLocation, prefix: TablePrefix, servers: SiteApplication.Servers, settings: SiteServerSettings) {
        guard let database, !database.isEmpty else {
            throw ServeConfigurationError("no database: set \"database\" in the file, ARBOR_DATABASE_URL, or --db (postgres://… or sqlite:PATH)")
        }
        let location: DatabaseLocation
        do { location = try DatabaseLocation(parsing: database) } catch { throw ServeConfigurationError("database: \(error.message)") }
        let prefix: TablePrefix
        do { prefix = try TablePrefix(tablePrefix) } catch { throw ServeConfigurationError("tablePrefix: \(error.message)") }
        guard !site.isEmpty, site.count <= 64, site.allSatisfy({ Topic.isAllowed($0) }) else {
            throw ServeConfigurationError("site '\(site)' must be 1-64 characters without * + ! ( ) , # or blanks (it names topics)")
        }
        guard ServicePaths(instance: instance) != nil else { throw ServeConfigurationError("instance '\(instance)' must be 1-32 letters, digits, '-' or '_'") }
        guard (0...65535).contains(port) else { throw ServeConfigurationError("port \(port) is out of range 0-65535") }
        guard !host.isEmpty else { throw ServeConfigurationError("host is empty") }
        var chosen: SiteApplication.Servers = []
        for server in servers {
            switch server {
            case "delta": chosen.insert(.delta)
            case "cache": chosen.insert(.cache)
            default: throw ServeConfigurationError("servers: '\(server)' is not a server; use delta, cache or both")
            }
        }
        guard !chosen.isEmpty else { throw ServeConfigurationError("servers: name at least one of delta, cache") }
        guard retainedSequences > 0 else { throw ServeConfigurationError("retainedSequences must be positive") }
        let selective = try validatedSelectiveDistribution()
        let limits = try validatedLimits()
        if site == "center" {
            guard fatherServers.isEmpty else { throw ServeConfigurationError("fatherServers: the center has no father; remove it or change site") }
        } else if !fatherServers.isEmpty {
            guard let fatherClientId, !fatherClientId.isEmpty, fatherClientId.count <= 64, fatherClientId.allSatisfy({ Topic.isAllowed($0) }) else {
                throw ServeConfigurationError("fatherClientId: a son needs its client id at the father (1-64 characters without * + ! ( ) , # or blanks)")
            }
            guard selective != nil || fatherSlice.flatMap({ try? TopicsSlice(parsing: $0) }) != nil else {
                throw ServeConfigurationError("fatherSlice: a son needs a valid subscription at its father (e.g. 'east+all-branches')")
            }
        }
        var settings = SiteServerSettings(instance: instance, useRegistration: useRegistration, retainedSequences: retainedSequences)
        settings.selectiveDistribution = selective
        settings.limits = limits
        settings.allowAnonymousReads = allowAnonymousReads
        for client in statusClients {
            do { try ClientRecord.validate(clientId: client) } catch { throw ServeConfigurationError("statusClients: '\(client.prefix(64))': \(error.message)") }
        }
        settings.statusClients = Set(statusClients)
        guard (2...3_600).contains(sonTimeoutSeconds) else {
            throw ServeConfigurationError("sonTimeoutSeconds must be between 2 and 3600, got \(sonTimeoutSeconds) (a son's heartbeat comes every 5 s)")
        }
        settings.sonTimeout = .seconds(sonTimeoutSeconds)
        guard (60...31_536_000).contains(appendRequestRetentionSeconds) else {
            throw ServeConfigurationError("appendRequestRetentionSeconds must be between 60 and 31536000 (a year), got \(appendRequestRetentionSeconds)")
        }
        settings.appendRequestRetention = .seconds(appendRequestRetentionSeconds)
        return (location, prefix, chosen, settings)
    }
}

/// A configuration problem, with a message naming the setting.
public struct ServeConfigurationError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
