import ArborStore
import Crypto
import Foundation
import Synchronization

/// The secrets that verified, per client (issue 11 item 4), so a legitimate client pays for
/// the key derivation once, not per request.
///
/// An entry holds the client's stored hash and a SHA-256 of that hash and the secret (never the
/// secret). It serves a request only while the client's current row has the same hash and is
/// enabled: a changed or removed secret, a removed or disabled client is never served from the
/// cache (the entry is dropped at the first such look-up). Only successful checks insert, so
/// wrong secrets cannot evict a legitimate client's entry; the size is bounded all the same.
public final class VerifiedSecretCache: Sendable {
    struct Entry: Sendable {
        var storedHash: String
        var digest: Data
    }

    /// The most clients remembered; when full, an arbitrary entry makes room.
    public let maximumEntries: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(maximumEntries: Int = 4_096) {
        self.maximumEntries = max(1, maximumEntries)
    }

    /// How many clients are remembered.
    public var count: Int { entries.withLock { $0.count } }

    /// Whether `secret` was verified against `record`'s current hash and the client is enabled.
    public func contains(_ secret: String, for record: ClientRecord) -> Bool {
        guard let stored = record.secretHash else { return false }
        let digest = Self.digest(secret, stored: stored)
        return entries.withLock { entries in
            guard let entry = entries[record.clientId] else { return false }
            guard entry.storedHash == stored, !record.isDisabled else {
                entries[record.clientId] = nil
                return false
            }
            return entry.digest == digest
        }
    }

    /// Remembers that `secret` verified against `record`'s hash (replacing the client's entry).
    public func insert(_ secret: String, for record: ClientRecord) {
        guard let stored = record.secretHash, !record.isDisabled else { return }
        let entry = Entry(storedHash: stored, digest: Self.digest(secret, stored: stored))
        entries.withLock { entries in
            if entries[record.clientId] == nil, entries.count >= maximumEntries, let any = entries.keys.first {
                entries[any] = nil
            }
            entries[record.clientId] = entry
        }
    }

    /// Forgets the client (its row changed or went away).
    public func remove(clientId: String) {
        _ = entries.withLock { $0.removeValue(forKey: clientId) }
    }

    /// SHA-256 over the stored hash (random salt included), a separator and the secret.
    static func digest(_ secret: String, stored: String) -> Data {
        var hasher = SHA256()
        hasher.update(data: Array(stored.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(secret.utf8))
        return Data(hasher.finalize())
    }
}
