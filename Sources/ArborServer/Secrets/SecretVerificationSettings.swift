import ArborCore

/// How a site checks client secrets under load (issue 11 item 4). The defaults suit a site on a
/// small machine: two hashing threads leave the other cores to requests.
public struct SecretVerificationSettings: Sendable, Equatable {
    /// Threads that derive keys (at most this many checks run at once).
    public var hashingThreads = 2
    /// Checks that may wait for a hashing thread; more are refused at once (429).
    public var maximumWaiting = 32
    /// Clients whose verified secret is remembered.
    public var cachedClients = 4_096
    /// When repeated failures of a client or a peer are refused unchecked.
    public var backoff = SecretFailureBackoff.Settings()
    /// The shortest time between two warnings about the same client and peer.
    public var logInterval = Duration.seconds(60)

    public init() {}
}
