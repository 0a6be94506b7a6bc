/// The servers of one site an edge may talk to, in preference order, with fail-over:
/// when the current server does not answer, the edge moves on to the next (distchat fault tolerance).
public struct SiteServerList: Hashable, Sendable {
    /// Base URLs such as `http://10.0.0.5:8080`.
    public let servers: [String]
    /// Index of the server currently used.
    public private(set) var currentIndex: Int

    /// Fails when `servers` is empty.
    public init?(_ servers: [String]) {
        guard !servers.isEmpty else { return nil }
        self.servers = servers
        currentIndex = 0
    }

    /// The server to use now.
    public var current: String { servers[currentIndex] }

    /// Records that `server` did not answer and returns the next one to try; after a full
    /// round of failures the caller should back off before starting the round again.
    public mutating func failed(_ server: String) -> (next: String, completedRound: Bool) {
        guard server == current else { return (current, false) }
        currentIndex = (currentIndex + 1) % servers.count
        return (current, currentIndex == 0)
    }

    /// Moves to `server` when a site server redirects the edge to balance load (§8.1);
    /// unknown servers are ignored so a misconfigured peer cannot send the edge elsewhere.
    @discardableResult
    public mutating func redirect(to server: String) -> Bool {
        guard let index = servers.firstIndex(of: server) else { return false }
        currentIndex = index
        return true
    }
}
