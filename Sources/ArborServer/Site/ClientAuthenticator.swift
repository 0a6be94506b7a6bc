import ArborStore
import Foundation
import Logging

/// Checks the secret a request carries against the client's stored hash (issue 6). A client
/// row without a hash needs no secret (trusted networks only). The HTTP layer checks through
/// ``verify(_:for:peer:)`` (issue 11 item 4: cached, backed off, off the cooperative pool);
/// ``accepts(_:for:)`` then finds the secret in the same cache.
public final class ClientAuthenticator: Sendable {
    /// The secret of the HTTP request being handled, set by the HTTP layer for the request's task.
    @TaskLocal public static var requestSecret: String?
    /// The common name of the verified client certificate of the request being handled, if any.
    @TaskLocal public static var requestCertificateName: String?

    /// The cached, backed-off, off-pool check.
    public let verifier: SecretVerifier

    public init(settings: SecretVerificationSettings = SecretVerificationSettings(), logger: Logger = Logger(label: "arbor.secrets")) {
        verifier = SecretVerifier(settings: settings, logger: logger)
    }

    /// Checks `secret` for `record`, a request from `peer`: `NotAuthenticated` when it is
    /// missing or wrong, `TooManyAttempts` when refused unchecked.
    public func verify(_ secret: String?, for record: ClientRecord, peer: String?) async throws(ServerError) {
        try await verifier.verify(secret, for: record, peer: peer)
    }

    /// Whether `secret` may act as `record`: always for a row without a hash, otherwise a secret
    /// already verified (the cache), else one that verifies now, on the caller's thread (callers
    /// outside the HTTP layer, which has checked through ``verify(_:for:peer:)`` already).
    public func accepts(_ secret: String?, for record: ClientRecord) -> Bool {
        guard let stored = record.secretHash else { return true }
        guard let secret, !secret.isEmpty else { return false }
        if verifier.cache.contains(secret, for: record) { return true }
        guard ClientSecret.verify(secret, against: stored) else { return false }
        verifier.cache.insert(secret, for: record)
        return true
    }
}
