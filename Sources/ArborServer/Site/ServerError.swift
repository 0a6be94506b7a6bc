import ArborCore

/// An error a site server answers with: a protocol code and a message for the client.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var code: ArborErrorCode
    public var message: String
    /// Whole seconds after which a retry may succeed, sent as `Retry-After` (429 `TooManyAttempts`).
    public var retryAfterSeconds: Int?

    public init(_ code: ArborErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
