import ArborCore
import ArborEdge
import ArborStore

/// How a son site reaches its father (DESIGN rule 9): only the son opens connections.
///
/// Validated by ``FatherLink/init(context:settings:connection:edgeHTTPClient:)``; the
/// executable reads the values (ServeConfiguration) and passes them here.
public struct FatherLinkSettings: Sendable, Hashable {
    /// Base URLs of the father's servers, in fail-over order.
    public var servers: [String]
    /// The father's instance suffix (`/arbor/{instance}/…`).
    public var instance: String
    /// This site's client id in the father's clients table; it names the site topics
    /// `#arbor.son.<id>` and `#arbor.notson.<id>`, so it must be a valid topic.
    public var clientId: String
    /// This site's secret at the father (issue 6), sent on every request when set; never logged.
    public var clientSecret: String?
    /// This site's subscription at the father, without the loop-prevention negation; the link
    /// always fetches with ``linkSlice``. Not used when the site has selective distribution
    /// (`SiteServerSettings.selectiveDistribution`): then the subscription is the fixed topics
    /// plus the topics the site's edges use.
    public var slice: String
    /// How long the father may hold a fetch while it has nothing for the son.
    public var fetchWait: Duration
    /// The pause after a failed step before the link tries again.
    public var retryBackoff: Duration
    /// How often an idle link asks the father for its upload position (the heartbeat), and
    /// how fresh the answers must be for the link to count as connected.
    public var heartbeatInterval: Duration
    /// The pause after the father refused the link (versions, schema, clients table, permit):
    /// an operator must act, so the link retries slowly and logs each refusal as an error.
    public var refusedRetryInterval: Duration
    /// The pause while the father answers `ClientDisabled`: an operator disabled this son there,
    /// and enabling it again must show within seconds (issue 13 item 6).
    public var disabledRetryInterval = FatherLinkSettings.defaultDisabledRetryInterval
    /// Two seconds: a disabled son's requests are refused cheaply (its secret is checked once).
    public static let defaultDisabledRetryInterval = Duration.seconds(2)
    /// The longest one request may take (fetches get ``fetchWait`` on top).
    public var requestTimeout: Duration
    /// The most log buffers one upload carries.
    public var uploadBatchBuffers: Int
    /// The most encoded bytes one upload carries (one bigger buffer still goes alone).
    public var uploadBatchBytes: Int
    /// The CAs trusted for an `https://` father (`fatherCAFile`); nil trusts the system's roots.
    public var trustRoots: EdgeTrustRoots?
    /// The certificate the link presents when the father requires client certificates.
    public var clientCertificate: EdgeClientCertificate?

    public init(
        servers: [String], instance: String = "1", clientId: String, clientSecret: String? = nil, slice: String,
        fetchWait: Duration = .seconds(20), retryBackoff: Duration = .seconds(1), heartbeatInterval: Duration = .seconds(5),
        refusedRetryInterval: Duration = .seconds(30), requestTimeout: Duration = .seconds(30),
        uploadBatchBuffers: Int = 256, uploadBatchBytes: Int = 8 << 20, trustRoots: EdgeTrustRoots? = nil,
        clientCertificate: EdgeClientCertificate? = nil
    ) {
        self.servers = servers
        self.instance = instance
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.slice = slice
        self.fetchWait = fetchWait
        self.retryBackoff = retryBackoff
        self.heartbeatInterval = heartbeatInterval
        self.refusedRetryInterval = refusedRetryInterval
        self.requestTimeout = requestTimeout
        self.uploadBatchBuffers = uploadBatchBuffers
        self.uploadBatchBytes = uploadBatchBytes
        self.trustRoots = trustRoots
        self.clientCertificate = clientCertificate
    }

    /// The slice the link fetches with: the subscription, minus everything this son sent up
    /// (§2.6.3, DESIGN rule 5).
    public var linkSlice: String {
        linkSlice(subscription: slice)
    }

    /// The slice the link fetches with for `subscription`.
    func linkSlice(subscription: String) -> String {
        "(\(subscription))*!\(SiteTopics.sliceName(SiteTopics.negation(son: clientId)))"
    }

    /// The registered edge's configuration for reaching the father.
    func edgeConfiguration(schema: DistributionSchema, limits: WriteLimits) throws(EdgeError) -> EdgeConfiguration {
        try EdgeConfiguration(
            servers: servers, instance: instance, clientId: clientId, clientSecret: clientSecret, useRegistration: true,
            schema: schema, requestTimeout: requestTimeout, fetchWait: fetchWait, retryBackoff: retryBackoff,
            maxResponseBytes: max(256 << 20, 4 * limits.maximumTransactionBytes),
            maximumBufferBytes: limits.maximumTransactionBytes
        )
    }

    /// Throws `InvalidConfiguration` naming the first unusable setting.
    func validate() throws(EdgeError) {
        guard !clientId.isEmpty, clientId.count <= 64, clientId.allSatisfy(Topic.isAllowed) else {
            throw Self.invalid("father link: client id '\(clientId)' must be 1-64 characters without * + ! ( ) , # or blanks (it names site topics)")
        }
        do { _ = try TopicsSlice(parsing: linkSlice) } catch {
            throw Self.invalid("father link: slice '\(slice)' does not parse: \(error.description)")
        }
        guard heartbeatInterval > .zero else { throw Self.invalid("father link: heartbeatInterval must be positive") }
        guard retryBackoff >= .zero, refusedRetryInterval >= .zero else {
            throw Self.invalid("father link: retryBackoff and refusedRetryInterval must not be negative")
        }
        guard uploadBatchBuffers > 0, uploadBatchBytes > 0 else {
            throw Self.invalid("father link: uploadBatchBuffers and uploadBatchBytes must be positive")
        }
    }

    private static func invalid(_ message: String) -> EdgeError {
        EdgeError(code: .invalidConfiguration, message: message)
    }
}
