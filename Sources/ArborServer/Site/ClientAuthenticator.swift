import ArborStore
import Crypto
import Foundation
import Synchronization

/// Checks the secret a request carries against the client's stored hash (issue 6). A client
/// row without a hash needs no secret (trusted networks only). Successful checks are
/// remembered in memory, keyed by a SHA-256 of the stored hash and the secret (never the
/// secret itself), so PBKDF2 runs once per client and secret, not per request.
public final class ClientAuthenticator: Sendable {
    private let verified = Mutex<Set<Data>>([])
    /// Bounds the cache; it is cleared when full (a rare re-verification is cheap enough).
    private static let maximumEntries = 4_096

    public init() {}

    /// Whether `secret` may act as `record`: always for a row without a hash, otherwise only a
    /// secret that verifies.
    public func accepts(_ secret: String?, for record: ClientRecord) -> Bool {
        guard let stored = record.secretHash else { return true }
        guard let secret, !secret.isEmpty else { return false }
        var hasher = SHA256()
        hasher.update(data: Array(stored.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(secret.utf8))
        let key = Data(hasher.finalize())
        if verified.withLock({ $0.contains(key) }) { return true }
        guard ClientSecret.verify(secret, against: stored) else { return false }
        verified.withLock { cache in
            if cache.count >= Self.maximumEntries { cache.removeAll() }
            cache.insert(key)
        }
        return true
    }
}
