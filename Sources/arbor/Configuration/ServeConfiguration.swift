import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import Foundation

/// Everything `arbor serve` needs as typed values: the JSON file (``init(file:named:)``), then
/// the environment (``apply(environment:)``), then flags (``apply(flags:)``), later wins, each
/// read by the type of its setting (``ServeConfiguration/settings``). ``validated()`` turns it
/// into the plain settings structs the libraries take, with messages naming the setting.
struct ServeConfiguration: Sendable, Equatable {
    var database: String?
    var site: String = "center"
    var instance: String = "1"
    var tablePrefix: String = TablePrefix.standard.value
    var schemaFile: String?
    var host: String = "127.0.0.1"
    var port: Int = 8080
    var servers: [String] = ["delta", "cache"]
    var useRegistration: Bool = true
    var retainedSequences: Int64 = 1_000_000
    /// The father's servers (fail-over order); none at the center.
    var fatherServers: [String] = []
    /// This site's client id in the father's clients table.
    var fatherClientId: String?
    /// This site's subscription at its father (the link adds `*!arbor.notson.<id>`).
    var fatherSlice: String?
    /// A file holding this site's secret at the father (issue 6); the file, not the secret,
    /// is configured so the secret stays out of configuration files and process listings.
    var fatherClientSecretFile: String?
    /// The URL edges use for this process (`https://branch-2.example:8443`), announced to the
    /// site's other processes for load balancing (§8.1); default: scheme, host and port.
    var advertisedURL: String?
    /// The host name edges use for the processes of this machine (`arbor@.service`): without
    /// ``advertisedURL``, each process announces scheme://advertisedHost:its port.
    var advertisedHost: String?
    /// Answer local-network discovery queries (issue 14, Docs/discovery.md) with this process's URL.
    var announce: Bool = false
    /// The UDP `address:port` discovery queries arrive on.
    var announceAddress: String = "0.0.0.0:\(DiscoveryDatagram.defaultPort)"
    /// The listener's PEM certificate chain and PEM private key (issue 6); both or neither.
    var tlsCertificateFile: String?
    var tlsKeyFile: String?
    /// A PEM CA bundle: clients must present a certificate it signed; its common name is the client id.
    var tlsClientCAFile: String?
    /// This site's PEM certificate and key for its father, when the father requires client certificates.
    var fatherClientCertificateFile: String?
    var fatherClientKeyFile: String?
    /// Serve plain HTTP: only when set explicitly, never as a fallback for missing TLS files.
    var plainHTTP: Bool = false
    /// Serve unregistered fetches of requests that name no client (issue 11). Off by default:
    /// every request but the status GETs must then come from a client of the clients table.
    /// Anonymous writes are never served.
    var allowAnonymousReads: Bool = false
    /// A PEM bundle of the CAs trusted for an `https://` father; nil trusts the system's roots.
    var fatherCAFile: String?
    /// A JSON file mapping client id → the topics its slices may name and the topics of the
    /// entities it may write (the `TopicsPermit` plug, §5.6, issue 11 item 2); without it every
    /// client may use every slice and write every entity.
    var permitsFile: String?
    /// Selective distribution to proxies (§8.3): subscribe at the father only to
    /// ``fixedTopics`` plus the topics this site's edges use. Only at a son (not the center),
    /// and instead of ``fatherSlice``.
    var selectiveDistribution: Bool = false
    /// With selective distribution, the topics always received from the father.
    var fixedTopics: [String] = []
    /// With selective distribution, how long a topic no load or fetch at this site used stays
    /// in the subscription (fractions allowed).
    var unusedTopicsLifeMinutes: Double = 10
    /// The one size limit from request to log record (issue 10 item 7): the largest request
    /// body and the largest encoded transaction; every decoder accepts buffers of this size.
    /// Use the same value at every site of the tree and in its edges.
    var maximumTransactionBytes: Int = WriteLimits.defaultMaximumTransactionBytes
    /// How far ahead of this site's clock a received time may be before the delta carrying it
    /// is refused (issue 10 item 8).
    var maximumClockSkewSeconds: Int64 = HybridClock.defaultMaximumAheadMicroseconds / 1_000_000
    /// How long append request ids (`X-Arbor-Request-Id`) and their outcomes are kept (issue 10 item 13).
    var appendRequestRetentionSeconds: Int64 = 86_400
    /// The most connections open at once (issue 11 item 5); nil: 900, lowered to fit the
    /// process's file descriptor limit.
    var maximumConnections: Int?
    /// Seconds a connection may go without a complete request head or body part (issue 11 item 5).
    var idleTimeoutSeconds: Int = 60
    /// The most bytes of request headers (issue 11 item 6).
    var maximumHeaderBytes: Int = SocketLimits.defaultMaximumHeaderBytes
    /// The most bytes of request bodies being read at once, all requests together (issue 11 item 6).
    var requestBodyBudgetBytes: Int = SocketLimits.defaultRequestBodyBudgetBytes
    /// Client ids that may read the status page from another machine (loopback always may).
    var statusClients: [String] = []
    /// Seconds a son may stay silent before it counts as disconnected (status page, log).
    var sonTimeoutSeconds: Int64 = 30

    init() {}
}
