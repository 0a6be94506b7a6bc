import ArborCore
import ArborStore
import Logging
import Synchronization

/// Checks a request's secret against its client's stored hash so that wrong secrets cannot take
/// a site down (issue 11 item 4): a verified secret is served from ``VerifiedSecretCache``;
/// otherwise ``SecretFailureBackoff`` may refuse at once (429 `TooManyAttempts`); otherwise the
/// key derivation runs on ``SecretHashingQueue`` (refused at once, 429, when it is full);
/// failures are logged by ``FailureLogThrottle``.
public final class SecretVerifier: Sendable {
    /// The outcome of one check.
    public enum Outcome: Equatable, Sendable {
        /// The client needs no secret, or the secret matched.
        case verified
        /// The request carries no secret or a wrong one.
        case wrong
        /// Refused without a check: too many recent failures for the client or the peer.
        case backedOff(retryAfter: Duration)
        /// Refused without a check: the hashing threads have too much work queued.
        case busy
    }

    /// The settings in force.
    public let settings: SecretVerificationSettings
    /// Successful checks.
    public let cache: VerifiedSecretCache
    let hashing: SecretHashingQueue
    private let backoff: Mutex<SecretFailureBackoff>
    private let logThrottle: Mutex<FailureLogThrottle>
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(
        settings: SecretVerificationSettings = SecretVerificationSettings(), logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.settings = settings
        cache = VerifiedSecretCache(maximumEntries: settings.cachedClients)
        hashing = SecretHashingQueue(threads: settings.hashingThreads, maximumWaiting: settings.maximumWaiting)
        backoff = Mutex(SecretFailureBackoff(settings: settings.backoff))
        logThrottle = Mutex(FailureLogThrottle(interval: settings.logInterval))
        self.logger = logger
        self.now = now
    }

    /// Checks `secret` for `record`, a request from `peer` (an IP address, nil when unknown).
    public func check(_ secret: String?, for record: ClientRecord, peer: String?) async -> Outcome {
        guard let stored = record.secretHash else { return .verified }
        guard let secret, !secret.isEmpty else {
            logRefusal("no secret", client: record.clientId, peer: peer)
            return .wrong
        }
        if cache.contains(secret, for: record) { return .verified }
        let client = record.clientId
        let decision = backoff.withLock { $0.attempt(client: client, peer: peer, at: now()) }
        if case .refuse(let until) = decision { return .backedOff(retryAfter: until - now()) }
        guard let matched = await hashing.submit({ ClientSecret.verify(secret, against: stored) }) else {
            backoff.withLock { $0.abandoned(client: client, peer: peer, at: now()) }
            return .busy
        }
        let finished = now()
        if matched {
            backoff.withLock { $0.succeeded(client: client, peer: peer, at: finished) }
            cache.insert(secret, for: record)
            return .verified
        }
        backoff.withLock { $0.failed(client: client, peer: peer, at: finished) }
        logRefusal("wrong secret", client: client, peer: peer, at: finished)
        return .wrong
    }

    /// Writes the warning for a refused request of `client` from `peer` (`what` says why: "wrong
    /// secret", "unknown client id"…), at most one line per client and peer per
    /// ``SecretVerificationSettings/logInterval`` standing for the failures since the last one.
    /// With `throttledByPeer`, the line is limited per peer alone (ids a peer makes up are endless).
    public func logRefusal(_ what: String, client: String, peer: String?, throttledByPeer: Bool = false, at instant: ContinuousClock.Instant? = nil) {
        // Each kind of refusal has its own lines: a wrong secret does not hide a missing one.
        let key = throttledByPeer ? what : "\(what) \(client)"
        guard case .log(let failures) = logThrottle.withLock({ $0.failed(client: key, peer: peer, at: instant ?? now()) }) else { return }
        logger.warning(
            "\(what) for client '\(client)' from \(peer ?? "an unknown peer"): \(failures) failure(s) since the last such line",
            metadata: ["client": "\(client)", "peer": "\(peer ?? "-")", "failures": "\(failures)"]
        )
    }

    /// ``check(_:for:peer:)`` as the protocol's refusals: `NotAuthenticated` (401) for a missing
    /// or wrong secret, `TooManyAttempts` (429, with `Retry-After`) when refused unchecked.
    public func verify(_ secret: String?, for record: ClientRecord, peer: String?) async throws(ServerError) {
        switch await check(secret, for: record, peer: peer) {
        case .verified:
            return
        case .wrong:
            let what = secret == nil ? "carries no \(ArborProtocol.Header.clientSecret) header" : "carries a wrong secret"
            throw ServerError(.notAuthenticated, "a request for client '\(record.clientId)' \(what): configure the client's secret")
        case .backedOff(let retryAfter):
            let seconds = Self.wholeSeconds(retryAfter)
            var error = ServerError(
                .tooManyAttempts,
                "too many wrong secrets for client '\(record.clientId)' or from this address: retry in \(seconds) s with the right secret"
            )
            error.retryAfterSeconds = seconds
            throw error
        case .busy:
            var error = ServerError(.tooManyAttempts, "the site is checking too many secrets at once: retry in 1 s")
            error.retryAfterSeconds = 1
            throw error
        }
    }

    /// A duration rounded up to whole seconds, at least 1 (the `Retry-After` unit).
    static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
