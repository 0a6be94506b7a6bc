/// How a replica's link to its father stands.
public struct ReplicaStatus: Hashable, Sendable {
    /// The father answered both halves of the link recently.
    public var connected: Bool
    /// The father said it is connected to the center.
    public var connectedToCenter: Bool
    /// Local transactions the father has not acknowledged yet.
    public var pendingUploads: Int64
    /// Father log sequences not applied here yet, as the father last answered; nil before.
    public var lag: Int64?
    /// The link's own words (`connected`, `disconnected`, `refused: …`), nil while it is not running.
    public var linkStatus: String?
}

/// A replica that cannot open as configured.
public struct ReplicaError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
