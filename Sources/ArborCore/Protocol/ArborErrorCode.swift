/// The error codes of the HTTP protocol (`{"error": CODE, "message": ...}`), shared by servers and edges.
public struct ArborErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The server does not know the client's registrations; it must call RegisterEntities.
    public static let notRegistered = ArborErrorCode(rawValue: "NotRegistered")
    /// The delta buffer or request uses another schema name than the site.
    public static let schemaMismatch = ArborErrorCode(rawValue: "SchemaMismatch")
    /// The client's row has a secret and the request carries none or a wrong one.
    public static let notAuthenticated = ArborErrorCode(rawValue: "NotAuthenticated")
    /// The client is disabled in the clients table.
    public static let clientDisabled = ArborErrorCode(rawValue: "ClientDisabled")
    /// The Permit plug refused the client this slice.
    public static let notPermitted = ArborErrorCode(rawValue: "NotPermitted")
    /// The slice text does not parse.
    public static let sliceSyntax = ArborErrorCode(rawValue: "SliceSyntax")
    /// A proxy's delta server does not receive a topic of the slice; load from the local cache server.
    public static let topicNotInProxySlice = ArborErrorCode(rawValue: "TopicNotInProxySlice")
    /// The client's sequence is older than the retained log; it must SyncLoad.
    public static let tooFarBehind = ArborErrorCode(rawValue: "TooFarBehind")
    /// The client's position belongs to another log of the site than its current one (the site
    /// was restored from an older backup or rebuilt), or lies beyond its log's end: the
    /// registrations and positions the site held of the client are gone. The client must
    /// start over with a registering SyncLoad (an edge app: reload).
    public static let logReplaced = ArborErrorCode(rawValue: "LogReplaced")

    /// The client id is not in the clients table (registered edges and loads need a row).
    public static let unknownClient = ArborErrorCode(rawValue: "UnknownClient")
    /// The request is malformed (bad JSON, missing header, invalid value).
    public static let badRequest = ArborErrorCode(rawValue: "BadRequest")
    /// The path or entity does not exist.
    public static let notFound = ArborErrorCode(rawValue: "NotFound")
    /// The edge speaks another protocol version.
    public static let protocolVersion = ArborErrorCode(rawValue: "ProtocolVersion")
    /// The server failed; retrying later may help.
    public static let internalError = ArborErrorCode(rawValue: "Internal")
    /// The site cannot answer now because something it depends on (its father) is out of
    /// reach; retrying later may help.
    public static let unavailable = ArborErrorCode(rawValue: "Unavailable")

    /// The request or the transaction it makes is above the site's size limit
    /// (`maximumTransactionBytes`); nothing was stored.
    public static let tooLarge = ArborErrorCode(rawValue: "TooLarge")

    /// Too many wrong secrets for the client or from the peer, or too many secrets being
    /// checked at once: refused unchecked; retry after the answer's `Retry-After` seconds.
    public static let tooManyAttempts = ArborErrorCode(rawValue: "TooManyAttempts")

    /// Every code a server answers (the OpenAPI document's `Error.error` enum lists exactly these).
    public static let all: [ArborErrorCode] = [
        .notRegistered, .schemaMismatch, .notAuthenticated, .clientDisabled, .notPermitted, .sliceSyntax, .topicNotInProxySlice, .tooFarBehind, .logReplaced, .unknownClient, .badRequest, .notFound, .protocolVersion, .internalError, .unavailable, .tooLarge, .tooManyAttempts,
    ]

    /// The HTTP status that carries this code.
    public var httpStatus: Int {
        switch self {
        case .sliceSyntax, .badRequest: return 400
        case .clientDisabled, .notPermitted, .unknownClient: return 403
        case .notAuthenticated: return 401
        case .notFound: return 404
        case .notRegistered, .schemaMismatch, .topicNotInProxySlice, .protocolVersion: return 409
        case .tooFarBehind, .logReplaced: return 410
        case .tooLarge: return 413
        case .tooManyAttempts: return 429
        case .unavailable: return 503
        default: return 500
        }
    }

    public var description: String { rawValue }
}
