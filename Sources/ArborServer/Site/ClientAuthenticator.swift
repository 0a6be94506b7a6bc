import ArborStore
import Foundation
import Logging

/// Checks the secret a request carries against the client's stored hash (issue 6). A client
/// row without a hash needs no secret (trusted networks only). The HTTP layer checks through
/// ``verify(_:for:peer:)`` (issue 11 item 4: cached, backed off, off the cooperative pool).
public final class ClientAuthenticator: Sendable {
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
}
