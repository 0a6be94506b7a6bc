import ArborCore
import ArborStore

/// Who may make a request of this site, and with which slices: the authentication rules of
/// the clients table (§2.7, issue 6) and the `Permit` plug (§5.6), kept out of the servers.
///
/// The HTTP layer authenticates each request once (``authenticate(clientId:secret:certificateName:peer:)``);
/// in-process callers name a client with ``inProcess(_:)``. Long answers re-check only that the
/// admitted client is still enabled (``requireStillAdmitted(_:)``), never its secret again.
public struct RequestAuthority: Sendable {
    let clients: ClientDirectory
    let permit: any Permit
    let siteName: String
    /// Whether a client without a secret needs its own certificate (listener requires them).
    let requiresClientCertificates: Bool
    /// Whether an anonymous request may fetch (unregistered); never write.
    let allowAnonymousReads: Bool
    /// Checks client secrets (with an in-memory cache of successful checks).
    let authenticator: ClientAuthenticator

    public init(clients: ClientDirectory, permit: any Permit, siteName: String, requiresClientCertificates: Bool, allowAnonymousReads: Bool = false,
        authenticator: ClientAuthenticator = ClientAuthenticator()
    ) {
        self.authenticator = authenticator
        self.allowAnonymousReads = allowAnonymousReads
        self.clients = clients
        self.permit = permit
        self.siteName = siteName
        self.requiresClientCertificates = requiresClientCertificates
    }

    /// The client a request names, authenticated: nil without an id (anonymous); unknown →
    /// `UnknownClient`; a wrong or missing secret or certificate → `NotAuthenticated`;
    /// disabled → `ClientDisabled`.
    public func authenticate(clientId: String?, secret: String?, certificateName: String?, peer: String? = nil) async throws(ServerError) -> AuthenticatedClient? {
        guard let clientId, !clientId.isEmpty else { return nil }
        guard let record = clients.client(clientId) else {
            authenticator.verifier.logRefusal("unknown client id", client: clientId, peer: peer, throttledByPeer: true)
            throw Self.unknown(clientId, siteName)
        }
        let credential: AuthenticatedClient.Credential
        if certificateName == record.clientId {
            // A certificate the listener verified, issued to this very client, authenticates it.
            credential = .certificate
        } else if requiresClientCertificates, record.secretHash == nil {
            let presented = certificateName.map { "a certificate for '\($0)'" } ?? "no certificate"
            authenticator.verifier.logRefusal(presented, client: record.clientId, peer: peer)
            throw ServerError(
                .notAuthenticated,
                "a request for client '\(record.clientId)' came with \(presented): present the client's own certificate (common name '\(record.clientId)') or give the client a secret"
            )
        } else {
            try await verifySecret(secret, for: record, peer: peer)
            credential = record.secretHash == nil ? .unprotectedRow : .secret
        }
        try requireEnabled(record)
        return AuthenticatedClient(id: record.clientId, bit: record.bit, credential: credential, role: record.role)
    }

    /// Verifies `secret` for the client of `record`, a request from `peer`: a row without a hash
    /// needs none; otherwise a missing or wrong secret is `NotAuthenticated`, and repeated
    /// failures are refused unchecked with `TooManyAttempts` (issue 11 item 4: cached, backed
    /// off per client and peer, off the cooperative pool). The one place secrets are checked.
    public func verifySecret(_ secret: String?, for record: ClientRecord, peer: String? = nil) async throws(ServerError) {
        try await authenticator.verify(secret, for: record, peer: peer)
    }

    /// A client named by a caller inside this process (tests, `arbor demo`, benchmarks), which
    /// needs no credential: unknown → `UnknownClient`, disabled → `ClientDisabled`.
    public func inProcess(_ clientId: String) throws(ServerError) -> AuthenticatedClient {
        let record = try knownRecord(clientId)
        try requireEnabled(record)
        return AuthenticatedClient(id: record.clientId, bit: record.bit, credential: .inProcess, role: record.role)
    }

    /// The client of a request that must come from one (every request but an anonymous read):
    /// without one it is `NotAuthenticated` (401), naming the header to send.
    public func requireClient(_ client: AuthenticatedClient?, for what: String) throws(ServerError) -> AuthenticatedClient {
        guard let client else {
            throw ServerError(
                .notAuthenticated,
                "\(what) at site '\(siteName)' needs the \(ArborProtocol.Header.clientId) header of a client in its clients table (and its secret or certificate): ask the operator to add one with `arbor clients add`"
            )
        }
        return client
    }

    /// The client of a read that may be anonymous: nil only when the site allows anonymous
    /// reads (``SiteServerSettings/allowAnonymousReads``), otherwise as ``requireClient(_:for:)``.
    public func requireReader(_ client: AuthenticatedClient?, for what: String) throws(ServerError) -> AuthenticatedClient? {
        if client == nil, allowAnonymousReads { return nil }
        return try requireClient(client, for: what)
    }

    /// Refuses to go on serving `client` when the clients table no longer holds it enabled
    /// with the same bit (§2.7): removed → `UnknownClient`, disabled → `ClientDisabled`.
    public func requireStillAdmitted(_ client: AuthenticatedClient) throws(ServerError) {
        switch clients.cutOff(of: client.admittedRecord) {
        case nil: return
        case .disabled: throw ServerError(.clientDisabled, "client '\(client.id)' is disabled at site '\(siteName)'")
        case .removed: throw Self.unknown(client.id, siteName)
        }
    }

    /// Refuses a slice the `Permit` plug does not allow for this client (nil: anonymous).
    public func requirePermit(_ client: AuthenticatedClient?, _ slice: TopicsSlice) async throws(ServerError) {
        guard await permit.permits(clientId: client?.id, slice: slice) else {
            throw ServerError(.notPermitted, "client '\(client?.id ?? "anonymous")' may not use slice \(slice) at site '\(siteName)': a permits file allows a client only slices over its read topics that select no entity without one of them (`east`, `east*!west`; not `!west` or `TimeWindow3600` alone); change the slice or ask the operator to extend the client's \"read\" list")
        }
    }

    /// The rule for `client`'s writes (issue 11 item 2), applied inside the write transaction:
    /// the `Permit` plug's, except for the site's own process, which writes unrestricted.
    public func writePermit(for client: AuthenticatedClient) async -> any EntityWritePermit {
        if client.credential == .siteProcess { return UnrestrictedWrites() }
        return await permit.writePermit(clientId: client.id)
    }

    private func knownRecord(_ clientId: String) throws(ServerError) -> ClientRecord {
        guard let record = clients.client(clientId) else { throw Self.unknown(clientId, siteName) }
        return record
    }

    private func requireEnabled(_ record: ClientRecord) throws(ServerError) {
        guard !record.isDisabled else { throw ServerError(.clientDisabled, "client '\(record.clientId)' is disabled at site '\(siteName)'") }
    }

    static func unknown(_ clientId: String, _ siteName: String) -> ServerError {
        ServerError(.unknownClient, "client '\(clientId)' is not in the clients table of site '\(siteName)': ask the operator to add it")
    }
}
