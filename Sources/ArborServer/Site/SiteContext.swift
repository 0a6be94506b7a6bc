import ArborCore
import ArborStore
import Foundation
import Logging

/// Settings of one site's servers, validated by the executable before start.
public struct SiteServerSettings: Sendable {
    /// The instance suffix in URLs (§7.2).
    public var instance: String
    /// Whether registration is used for edges that ask for it (§7.1 `UseRegistration`).
    public var useRegistration: Bool
    /// How many sequences back a client may fetch from; older is `TooFarBehind` (SyncLoad).
    public var retainedSequences: Int64
    /// The longest a fetch may wait for deltas.
    public var maximumWait: Duration
    /// The most delta buffers one fetch or load answer carries.
    public var maximumBuffersPerAnswer: Int
    /// The most create-deltas one load buffer carries.
    public var maximumDeltasPerLoadBuffer: Int
    /// Selective distribution to proxies (§8.3); nil (the default) receives everything the
    /// father subscription selects and serves any slice.
    public var selectiveDistribution: SelectiveDistributionSettings?
    /// Whether the listener requires client certificates signed by its client CA (issue 6):
    /// then a certificate whose common name is the client id authenticates the client, and a
    /// client without a secret is only served with its own certificate.
    public var requiresClientCertificates = false
    /// Whether a request that names no client may fetch (unregistered) (issue 11); off by
    /// default. Anonymous writes, loads and registrations are never served.
    public var allowAnonymousReads = false
    /// The largest transaction and the allowed skew of received times (issue 10 items 7, 8):
    /// requests, commits, log reads, loads and the link all use ``WriteLimits/maximumTransactionBytes``.
    public var limits = WriteLimits()
    /// How long append request ids and their outcomes are kept (issue 10 item 13): an edge
    /// may resend an append with the same id within this time and get the recorded outcome.
    public var appendRequestRetention = SiteServerSettings.defaultAppendRequestRetention
    /// One day.
    public static let defaultAppendRequestRetention = Duration.seconds(86_400)
    /// How long a son may stay silent before it counts as disconnected (status page, log).
    public var sonTimeout = LinkServer.defaultSonTimeout
    /// Client ids that may read the status page and `status.json` from another machine
    /// (authenticated as for any request, or with HTTP Basic `id:secret`); a request from
    /// loopback needs none. Empty (the default): loopback only.
    public var statusClients: Set<String> = []

    public init(
        instance: String = "1", useRegistration: Bool = true, retainedSequences: Int64 = 1_000_000,
        maximumWait: Duration = .seconds(30), maximumBuffersPerAnswer: Int = 1_000, maximumDeltasPerLoadBuffer: Int = 500
    ) {
        self.instance = instance
        self.useRegistration = useRegistration
        self.retainedSequences = retainedSequences
        self.maximumWait = maximumWait
        self.maximumBuffersPerAnswer = maximumBuffersPerAnswer
        self.maximumDeltasPerLoadBuffer = maximumDeltasPerLoadBuffer
    }
}

/// What the delta and cache servers of one site share.
public struct SiteContext: Sendable {
    public let settings: SiteServerSettings
    public let store: any SiteStore
    public let entities: EntitiesSubsystem
    public let logTail: LogTail
    public let registrations: RegistrationTable
    public let clients: ClientDirectory
    public let objectsReader: any DeltaObjectsReader
    public let cacheNotifier: any CacheNotifier
    public let control: any ControlAndParams
    public let permit: any Permit
    /// Whether this site is connected to the center (always true at the center itself).
    public let connectedToCenter: @Sendable () -> Bool
    public let logger: Logger
    /// Who may make requests, with which slices: authentication and permits (issue 11).
    public let authority: RequestAuthority
    /// The checks of selective distribution (§8.3); nil when it is off.
    public let proxyTopics: ProxyTopicsGuard?
    /// Balances edges between the site's server processes (§8.1); nil in a process that takes no part.
    public var balancer: SiteBalancer?
    /// Whether this process holds the site's master role (§8.1).
    public var isMaster: @Sendable () -> Bool = { true }
    /// For a son site: loads from its father the entities one of its own sons changed that it
    /// does not hold, before merging that change (``LinkServer``). Nil at the center.
    public var fatherEntities: FatherEntityLoader?
    /// Every schema the site's database held: buffers and requests of an older one are
    /// understood (issue 10 item 9).
    public let schemas: SchemaCatalog
    /// This site's Prometheus metrics (issue 13 item 2), served at `/metrics`.
    public let metrics: SiteMetrics
    /// What this process saw happen, for its status page.
    public let activity = SiteActivity()
    /// The log's last committed sequence, read for each fetch (read your writes) by one query
    /// shared among the fetches that ask at once.
    let committedSequence: CoalescedRead<Int64>
    /// The log's incarnation, read per request the same way (``logIncarnation()``).
    let storedIncarnation: CoalescedRead<UUID?>

    public init(
        settings: SiteServerSettings, store: any SiteStore, entities: EntitiesSubsystem, logTail: LogTail,
        registrations: RegistrationTable, clients: ClientDirectory, objectsReader: any DeltaObjectsReader,
        cacheNotifier: any CacheNotifier, control: any ControlAndParams, permit: any Permit,
        connectedToCenter: @escaping @Sendable () -> Bool, logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.entities = entities
        self.logTail = logTail
        self.registrations = registrations
        self.clients = clients
        self.objectsReader = objectsReader
        self.cacheNotifier = cacheNotifier
        self.control = control
        self.permit = permit
        self.connectedToCenter = connectedToCenter
        self.logger = logger
        schemas = SchemaCatalog(store: store)
        committedSequence = CoalescedRead { try await store.lastSequence() }
        storedIncarnation = CoalescedRead { try await SiteIncarnation.current(in: store) }
        metrics = SiteMetrics(siteName: store.siteName)
        metrics.addSampler { [weak metrics] in
            guard let metrics else { return }
            metrics.logSequence.set(logTail.lastSequence)
            let appended = logTail.appended
            metrics.transactionsAppended.sample(appended.transactions)
            metrics.deltasAppended.sample(appended.deltas)
        }
        authority = RequestAuthority(clients: clients, permit: permit, siteName: store.siteName, requiresClientCertificates: settings.requiresClientCertificates,
            allowAnonymousReads: settings.allowAnonymousReads, authenticator: ClientAuthenticator(logger: logger)
        )
        proxyTopics = settings.selectiveDistribution.map { ProxyTopicsGuard(settings: $0, store: store, siteName: store.siteName) }
    }

    /// A context with the reference plugs, for `arbor serve` and tests.
    public static func standard(
        settings: SiteServerSettings, store: any SiteStore, permit: any Permit = AllowAllPermit(),
        connectedToCenter: @escaping @Sendable () -> Bool, logger: Logger
    ) -> SiteContext {
        let plugs = LoggingPlugs(logger: logger)
        return SiteContext(
            settings: settings, store: store, entities: EntitiesSubsystem(store: store, limits: settings.limits),
            logTail: LogTail(store: store, maximumBufferBytes: settings.limits.maximumTransactionBytes, logger: logger), registrations: RegistrationTable(store: store),
            clients: ClientDirectory(store: store, logger: logger), objectsReader: StoreObjectsReader(store: store),
            cacheNotifier: plugs, control: plugs, permit: permit, connectedToCenter: connectedToCenter, logger: logger
        )
    }

    /// The site's name.
    public var siteName: String { store.siteName }
    /// The site's schema.
    public var schema: DistributionSchema { store.schema }

    /// Parses a slice, answering `SliceSyntax` with the parser's position and message.
    public func parseSlice(_ text: String) throws(ServerError) -> TopicsSlice {
        do { return try TopicsSlice(parsing: text) } catch { throw ServerError(.sliceSyntax, error.description) }
    }
}
