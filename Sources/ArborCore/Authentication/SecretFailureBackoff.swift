/// Backs off repeated wrong secrets (issue 11 item 4), per client id and per peer address: a
/// secret check costs a slow key derivation, so a key that failed too often is refused, without
/// deriving anything, until a time that doubles with every further failure.
///
/// When a refusal ends, one attempt per key is let through (a probe) and the others stay refused
/// until it is decided, so a burst of concurrent guesses costs one derivation, not one each.
///
/// Pure: the caller passes the time, asks ``attempt(client:peer:at:)`` before it derives a key
/// and reports the outcome with ``failed(client:peer:at:)``, ``succeeded(client:peer:at:)`` or,
/// when it derived nothing after all, ``abandoned(client:peer:at:)``.
/// A request whose secret was already verified (the verifier's cache) never asks, so a
/// legitimate client sharing a peer address with an attacker keeps being served.
public struct SecretFailureBackoff: Sendable {
    /// What the failures are counted against.
    public enum Key: Hashable, Sendable {
        /// A client id of the clients table.
        case client(String)
        /// A peer's IP address (no port: a new connection must not reset the count).
        case peer(String)
    }

    /// The answer to ``attempt(client:peer:at:)``.
    public enum Decision: Equatable, Sendable {
        /// Derive the key and report the outcome.
        case allow
        /// Refuse without deriving anything (HTTP 429 with `Retry-After`) until this time.
        case refuse(until: ContinuousClock.Instant)
    }

    /// The policy; the defaults let a mistyped secret be retried many times before any refusal.
    public struct Settings: Sendable, Equatable {
        /// Failures a key may have before the first refusal.
        public var freeFailures = 20
        /// The first refusal; each further failure doubles it.
        public var firstRefusal = Duration.seconds(1)
        /// The longest refusal.
        public var longestRefusal = Duration.seconds(60)
        /// A key without failures for this long is forgotten (its count starts again).
        public var forgetAfter = Duration.seconds(600)
        /// The most keys tracked; beyond it the least recently failed one is forgotten.
        public var maximumKeys = 10_000

        public init() {}
    }

    struct Failures: Sendable {
        var count: Int
        var last: ContinuousClock.Instant
        var refusedUntil: ContinuousClock.Instant?
        /// When the probe let through after the last refusal started; nil when none is out.
        var probeSince: ContinuousClock.Instant?
    }

    /// The policy in force.
    public let settings: Settings
    private(set) var failures: [Key: Failures] = [:]

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// How many keys are tracked (bounded by ``Settings/maximumKeys``).
    public var trackedKeys: Int { failures.count }

    /// Event: a request for `client` from `peer` is about to derive a key. Refused while either
    /// key is refused or has its probe out; the answer names the later of the times.
    public mutating func attempt(client: String, peer: String?, at now: ContinuousClock.Instant) -> Decision {
        var until: ContinuousClock.Instant?
        var probes: [Key] = []
        for key in Self.keys(client: client, peer: peer) {
            guard var entry = failures[key] else { continue }
            if now - entry.last >= settings.forgetAfter {
                failures[key] = nil
                continue
            }
            if let refused = entry.refusedUntil, refused > now {
                until = max(until ?? refused, refused)
            } else if entry.count > settings.freeFailures {
                // A probe is decided within the longest refusal, or it was lost.
                if let since = entry.probeSince, now - since < settings.longestRefusal {
                    let retry = now + settings.firstRefusal
                    until = max(until ?? retry, retry)
                } else {
                    entry.probeSince = nil
                    failures[key] = entry
                    probes.append(key)
                }
            }
        }
        if let until { return .refuse(until: until) }
        for key in probes { failures[key]?.probeSince = now }
        return .allow
    }

    /// Event: an allowed attempt derived nothing (the hashing queue was full, the request was
    /// cancelled): its probe, if it was one, is released.
    public mutating func abandoned(client: String, peer: String?, at now: ContinuousClock.Instant) {
        for key in Self.keys(client: client, peer: peer) { failures[key]?.probeSince = nil }
    }

    /// Event: the derived key did not match. Counts against both keys; past the free failures a
    /// key is refused for ``Settings/firstRefusal`` doubled per further failure, up to the longest.
    public mutating func failed(client: String, peer: String?, at now: ContinuousClock.Instant) {
        for key in Self.keys(client: client, peer: peer) {
            var entry = failures[key].flatMap { now - $0.last >= settings.forgetAfter ? nil : $0 }
                ?? Failures(count: 0, last: now, refusedUntil: nil)
            entry.count += 1
            entry.last = now
            entry.probeSince = nil
            if entry.count > settings.freeFailures {
                entry.refusedUntil = now + refusal(afterExtraFailures: entry.count - settings.freeFailures)
            }
            if failures[key] == nil, failures.count >= settings.maximumKeys { forgetLeastRecent() }
            failures[key] = entry
        }
    }

    /// Event: the secret matched. The client's count starts again; the peer's stays (other
    /// clients behind the same address may still be guessing).
    public mutating func succeeded(client: String, peer: String?, at now: ContinuousClock.Instant) {
        failures[.client(client)] = nil
        if let peer { failures[.peer(peer)]?.probeSince = nil }
    }

    /// The refusal after `extra` failures beyond the free ones: first × 2^(extra-1), capped.
    func refusal(afterExtraFailures extra: Int) -> Duration {
        var refusal = settings.firstRefusal
        var doublings = extra - 1
        while doublings > 0, refusal < settings.longestRefusal {
            refusal *= 2
            doublings -= 1
        }
        return min(refusal, settings.longestRefusal)
    }

    private mutating func forgetLeastRecent() {
        guard let oldest = failures.min(by: { $0.value.last < $1.value.last })?.key else { return }
        failures[oldest] = nil
    }

    private static func keys(client: String, peer: String?) -> [Key] {
        [.client(client)] + (peer.map { [.peer($0)] } ?? [])
    }
}
