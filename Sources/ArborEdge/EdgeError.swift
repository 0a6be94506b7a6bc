import ArborCore
import Foundation

/// Codes an edge produces itself, beside the protocol codes a server answers with.
extension ArborErrorCode {
    /// Every server of the list failed (connection error, timeout or 5xx) in one round; retry later.
    public static let unreachable = ArborErrorCode(rawValue: "Unreachable")
    /// A server answered something the edge cannot read (bad body, missing sequence header).
    public static let invalidResponse = ArborErrorCode(rawValue: "InvalidResponse")
    /// The ``EdgeConfiguration`` is not usable.
    public static let invalidConfiguration = ArborErrorCode(rawValue: "InvalidConfiguration")
    /// An append was sent but no answer came: the writes may or may not have been committed.
    public static let outcomeUnknown = ArborErrorCode(rawValue: "OutcomeUnknown")
    /// The edge was used out of order (fetch before a load, two fetches at once).
    public static let invalidUse = ArborErrorCode(rawValue: "InvalidUse")
}

/// An error of an ``Edge`` call: a protocol code from the server, or one of the edge's own codes.
///
/// Switch on ``code`` (`switch error.code { case .notRegistered: … case .tooFarBehind: … }`)
/// or use the `is…` shortcuts. What the client should do:
/// - `NotRegistered`: call ``Edge/registerEntities(_:)`` (or the registering sync-load), then fetch again.
/// - `TooFarBehind`: sync-load (§2.4), then fetch again.
/// - `LogReplaced`: the site was restored from a backup (or rebuilt) and no longer holds what
///   this client fetched through: reload (a registering sync-load of the entities it holds, or
///   a full-load after clearing them), then fetch again.
/// - `TopicNotInProxySlice`: load from the local cache server instead.
/// - `Unreachable`, `Internal`, `InvalidResponse`, `Unavailable`: retry later (``isRetryable``).
/// - others: a configuration or permission problem that retrying does not fix.
public struct EdgeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; compare with the static members of ``ArborErrorCode``.
    public var code: ArborErrorCode
    /// Why, readable by a person; never holds field values.
    public var message: String
    /// The HTTP status of the answer that carried the error; nil when there was no answer.
    public var httpStatus: Int?
    /// The base URL of the server that answered (or, for `Unreachable`, the last one tried).
    public var server: String?

    /// An error of `code` explained by `message`.
    public init(code: ArborErrorCode, message: String, httpStatus: Int? = nil, server: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.server = server
    }

    /// The client must register its entities, then call again.
    public var isNotRegistered: Bool { code == .notRegistered }
    /// The site uses another schema than the edge's.
    public var isSchemaMismatch: Bool { code == .schemaMismatch }
    /// The client is disabled in the site's clients table.
    public var isClientDisabled: Bool { code == .clientDisabled }
    /// The client's row has a secret and the request carried none or a wrong one.
    public var isNotAuthenticated: Bool { code == .notAuthenticated }
    /// The site does not permit this client the slice.
    public var isNotPermitted: Bool { code == .notPermitted }
    /// The slice text does not parse.
    public var isSliceSyntax: Bool { code == .sliceSyntax }
    /// A proxy's delta server does not receive a topic of the slice.
    public var isTopicNotInProxySlice: Bool { code == .topicNotInProxySlice }
    /// The client's sequence is older than the retained log; it must sync-load.
    public var isTooFarBehind: Bool { code == .tooFarBehind }
    /// The site's log is another one than the client's position belongs to; it must reload.
    public var isLogReplaced: Bool { code == .logReplaced }
    /// No server of the list answered.
    public var isUnreachable: Bool { code == .unreachable }

    /// Whether calling again later, unchanged, may succeed.
    public var isRetryable: Bool {
        switch code {
        case .unreachable, .internalError, .invalidResponse, .unavailable: return true
        default: return false
        }
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let server { text += " (server \(server)" + (httpStatus.map { ", HTTP \($0))" } ?? ")") }
        return text
    }

    /// The error a server's non-2xx answer stands for.
    ///
    /// An Arbor error body `{"error": CODE, "message": …}` gives the code as sent, including
    /// codes this build does not know. A body that is not one gives a code from the status
    /// (400 `BadRequest`, 404 `NotFound`, 5xx `Internal`, others `InvalidResponse`).
    public static func fromResponse(status: Int, body: some Collection<UInt8>, server: String?) -> EdgeError {
        if let decoded = try? JSONDecoder().decode(ErrorResponse.self, from: Data(body)), !decoded.error.isEmpty {
            return EdgeError(code: ArborErrorCode(rawValue: decoded.error), message: decoded.message, httpStatus: status, server: server)
        }
        let code: ArborErrorCode
        switch status {
        case 400: code = .badRequest
        case 404: code = .notFound
        case 500...599: code = .internalError
        default: code = .invalidResponse
        }
        return EdgeError(code: code, message: "HTTP \(status) without an Arbor error body", httpStatus: status, server: server)
    }

    /// Every server failed in one round; `failures` says why, per server, in the order tried.
    static func unreachable(_ failures: [(server: String, reason: String)]) -> EdgeError {
        let detail = failures.map { "\($0.server): \($0.reason)" }.joined(separator: "; ")
        return EdgeError(code: .unreachable, message: "no server answered (\(detail))", server: failures.last?.server)
    }
}
