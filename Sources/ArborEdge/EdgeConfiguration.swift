import ArborCore
import Foundation

/// How an ``Edge`` reaches its site: the servers to try, the instance, who it is and what it asks for.
///
/// Validated once, at init: a configuration that exists is usable. Server URLs are normalized
/// (a trailing `/` is dropped) so that redirects and fail-over compare them exactly.
public struct EdgeConfiguration: Sendable {
    /// The body format the edge asks for on delta answers (the `Accept` header).
    public enum Format: Hashable, Sendable {
        /// Concatenated binary delta buffers (`application/vnd.arbor.delta-buffers`).
        case binary
        /// A JSON object holding JSON delta buffers (`application/json`).
        case json

        /// The media type sent in `Accept` for delta answers.
        public var mediaType: String {
            switch self {
            case .binary: return ArborProtocol.deltaBuffersMediaType
            case .json: return ArborProtocol.jsonMediaType
            }
        }
    }

    /// Base URLs of the site's servers (`http://127.0.0.1:8080`), in fail-over order.
    public let servers: [String]
    /// The instance suffix of the service paths (`/arbor/{instance}/…`).
    public let instance: String
    /// The client's id (`X-Arbor-Client-Id`); required by registered edges and cache-server loads.
    public let clientId: String?
    /// The client's secret, sent in `X-Arbor-Client-Secret` on every request when set (issue 6).
    /// Never printed or logged.
    public let clientSecret: String?
    /// Whether the server keeps entity registrations for this edge (§2.1.3.1).
    public let useRegistration: Bool
    /// The schema buffers are decoded with; its name is sent in `X-Arbor-Schema`.
    public let schema: DistributionSchema
    /// The body format of delta answers.
    public let format: Format
    /// The longest one request may take, long polls excepted (they get ``fetchWait`` on top).
    public let requestTimeout: Duration
    /// How long the server may hold a fetch while it has no deltas (sent as `waitMilliseconds`).
    public let fetchWait: Duration
    /// After a round in which every server failed, the next request waits until this much time
    /// has passed since that round, so a caller's plain retry loop does not hammer the site.
    public let retryBackoff: Duration
    /// The largest response body accepted; loads of big slices need a big value.
    public let maxResponseBytes: Int
    /// A PEM file of the certificate authorities trusted for `https://` servers; nil trusts
    /// the system's roots. Read at init into ``trustRoots``.
    public let trustRootsFile: String?
    /// The certificates of ``trustRootsFile``. The HTTP client the edge sends through must
    /// use them: make it with `Edge.failoverClientConfiguration(trustRoots: configuration.trustRoots)`.
    public let trustRoots: EdgeTrustRoots?
    /// The certificate and key presented to sites that require client certificates (its common
    /// name must be ``clientId``); the HTTP client must be made with
    /// `Edge.failoverClientConfiguration(trustRoots:clientCertificate:)` to present it.
    public let clientCertificate: EdgeClientCertificate?
    /// For a son site's link to its father: the incarnation of the son's database, sent in
    /// `X-Arbor-Site-Incarnation` on every request. Nil for application edges.
    public var siteIncarnation: UUID?

    /// The longest `waitMilliseconds` the protocol allows.
    public static let maxFetchWait = Duration.milliseconds(60_000)

    /// Validates and normalizes the settings; throws an ``EdgeError`` with code
    /// ``ArborErrorCode/invalidConfiguration`` naming the first invalid setting.
    public init(
        servers: [String],
        instance: String = "1",
        clientId: String? = nil,
        clientSecret: String? = nil,
        useRegistration: Bool = false,
        schema: DistributionSchema,
        format: Format = .binary,
        requestTimeout: Duration = .seconds(30),
        fetchWait: Duration = .seconds(20),
        retryBackoff: Duration = .seconds(1),
        maxResponseBytes: Int = 256 << 20,
        trustRootsFile: String? = nil,
        clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil
    ) throws(EdgeError) {
        guard !servers.isEmpty else { throw Self.invalid("an edge needs at least one server URL") }
        var normalized: [String] = []
        for server in servers {
            let url = try Self.normalizedServer(server)
            guard !normalized.contains(url) else { throw Self.invalid("server \(url) is listed twice") }
            normalized.append(url)
        }
        guard Self.isValidInstance(instance) else {
            throw Self.invalid("instance '\(instance)' must be 1 to 32 letters, digits, '-' or '_'")
        }
        if let clientId {
            guard !clientId.isEmpty, clientId.utf8.count <= 64, clientId.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                throw Self.invalid("client id must be 1 to 64 visible ASCII characters without spaces")
            }
        } else if useRegistration {
            throw Self.invalid("a registered edge (useRegistration) needs a client id")
        }
        if let clientSecret {
            guard clientId != nil else { throw Self.invalid("a client secret needs a client id") }
            guard !clientSecret.isEmpty, clientSecret.utf8.count <= 1_024, clientSecret.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                throw Self.invalid("client secret must be 1 to 1024 visible ASCII characters without spaces")
            }
        }
        guard requestTimeout > .zero else { throw Self.invalid("requestTimeout must be positive") }
        guard fetchWait > .zero, fetchWait <= Self.maxFetchWait else {
            throw Self.invalid("fetchWait must be more than 0 and at most 60 seconds")
        }
        guard retryBackoff >= .zero else { throw Self.invalid("retryBackoff must not be negative") }
        guard maxResponseBytes > 0 else { throw Self.invalid("maxResponseBytes must be positive") }
        self.servers = normalized
        self.instance = instance
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.useRegistration = useRegistration
        self.schema = schema
        self.format = format
        self.requestTimeout = requestTimeout
        self.fetchWait = fetchWait
        self.retryBackoff = retryBackoff
        self.maxResponseBytes = maxResponseBytes
        self.trustRootsFile = trustRootsFile
        if let trustRootsFile { trustRoots = try EdgeTrustRoots.load(file: trustRootsFile) } else { trustRoots = nil }
        switch (clientCertificateFile, clientKeyFile) {
        case (nil, nil): clientCertificate = nil
        case (let certificate?, let key?): clientCertificate = try EdgeClientCertificate.load(certificateFile: certificate, keyFile: key)
        default: throw Self.invalid("clientCertificateFile and clientKeyFile go together: give both or neither")
        }
    }

    /// ``fetchWait`` in whole milliseconds, as sent in fetch requests.
    public var fetchWaitMilliseconds: Int { Self.milliseconds(fetchWait) }

    /// A server URL without its trailing `/`, or nil when it is not an absolute http(s) base URL
    /// without user info, query or fragment. Redirect targets are compared in this form.
    public static func normalizedServerURL(_ text: String) -> String? {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URLComponents(string: trimmed),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty,
              url.user == nil, url.password == nil, url.query == nil, url.fragment == nil
        else { return nil }
        return trimmed
    }

    static func normalizedServer(_ text: String) throws(EdgeError) -> String {
        guard let url = normalizedServerURL(text) else {
            throw invalid("server '\(text)' is not a base URL such as http://127.0.0.1:8080")
        }
        return url
    }

    static func isValidInstance(_ instance: String) -> Bool {
        !instance.isEmpty && instance.utf8.count <= 32 && instance.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    private static func invalid(_ message: String) -> EdgeError {
        EdgeError(code: .invalidConfiguration, message: message)
    }
}
