/// Which sons are connected to this father, by their last upload or heartbeat, without I/O
/// (node/daemon heartbeat: a son is dropped after a silence longer than `timeout`).
struct SonContacts: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// How long a son may stay silent before it counts as disconnected.
    let timeout: Duration
    private(set) var lastContact: [String: Instant] = [:]

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Event: `son` called at `now`; true when it was not connected before.
    mutating func contacted(_ son: String, at now: Instant) -> Bool {
        let isNew = lastContact[son] == nil
        lastContact[son] = now
        return isNew
    }

    /// Event: time passed; returns the sons silent for longer than `timeout` (sorted), now
    /// counted as disconnected.
    mutating func expire(at now: Instant) -> [String] {
        let silent = lastContact.filter { now - $0.value > timeout }.keys.sorted()
        for son in silent { lastContact[son] = nil }
        return silent
    }

    /// Whether no son is connected.
    var isEmpty: Bool { lastContact.isEmpty }
}
