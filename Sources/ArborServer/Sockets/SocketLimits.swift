/// The listener's bounds on connections and request bodies (issue 11 items 5 and 6), so idle,
/// slow or oversized clients cannot exhaust descriptors or memory.
public struct SocketLimits: Sendable, Hashable {
    /// The most connections open at once; a connection beyond it is closed as soon as it is
    /// accepted (and logged), so descriptors stay for the database, the father link and files.
    public var maximumConnections: Int
    /// How long a connection may stay without a complete request head or a body part before
    /// it is closed: bounds idle keep-alive connections, slowloris headers (partial header bytes
    /// are not activity) and bodies shorter than their `Content-Length`. A request that was read
    /// whole and is being answered (a long poll) is never cut by it.
    public var idleTimeout: Duration
    /// The most bytes of request headers (each field and all together); larger is refused with
    /// a JSON `TooLarge` answer (status 431).
    public var maximumHeaderBytes: Int
    /// The most bytes of request bodies being collected at once by all requests together; a body
    /// that would go beyond it is refused with a JSON `Unavailable` answer (503, retry later).
    public var requestBodyBudgetBytes: Int

    /// 900 connections leave room below the 1,024 descriptors a process gets by default.
    public static let defaultMaximumConnections = 900
    /// One minute.
    public static let defaultIdleTimeout = Duration.seconds(60)
    /// 16 KiB: room for the protocol's headers with a long secret, far below NIO's 80 KiB.
    public static let defaultMaximumHeaderBytes = 16 << 10
    /// 256 MiB: sixteen concurrent bodies of the default 16 MiB transaction limit.
    public static let defaultRequestBodyBudgetBytes = 256 << 20
    /// Descriptors kept free of connections for the database, the father link, logs and files.
    public static let reservedDescriptors = 64

    public init(
        maximumConnections: Int = defaultMaximumConnections, idleTimeout: Duration = defaultIdleTimeout,
        maximumHeaderBytes: Int = defaultMaximumHeaderBytes, requestBodyBudgetBytes: Int = defaultRequestBodyBudgetBytes
    ) {
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.maximumHeaderBytes = maximumHeaderBytes
        self.requestBodyBudgetBytes = requestBodyBudgetBytes
    }
}
