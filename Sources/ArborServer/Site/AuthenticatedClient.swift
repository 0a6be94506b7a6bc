import ArborCore
import ArborStore

/// The client a request comes from, as the site authenticated it once per request (the HTTP
/// layer's ``RequestIdentityMiddleware``) or as an in-process caller names it
/// (``RequestAuthority/inProcess(_:)``). Server methods take this value, never a bare id.
public struct AuthenticatedClient: Hashable, Sendable, CustomStringConvertible {
    /// How the client proved who it is.
    public enum Credential: Hashable, Sendable {
        /// The secret of its row verified.
        case secret
        /// A client certificate the listener verified, issued to this very id.
        case certificate
        /// Its row has no secret (trusted networks only): the id alone was enough.
        case unprotectedRow
        /// A caller inside the process (tests, `arbor demo`, the site's own parts) named it.
        case inProcess
        /// The site's own process writing as itself (``AuthenticatedClient/local``).
        case siteProcess
    }

    /// The client id (a row of the clients table).
    public let id: String
    /// The client's bit in the registration masks.
    public let bit: ClientBit
    /// How it was authenticated.
    public let credential: Credential
    /// Its role in the clients table: only a son may upload (issue 11 item 3).
    public let role: ClientRole

    public init(id: String, bit: ClientBit, credential: Credential, role: ClientRole = .application) {
        self.id = id
        self.bit = bit
        self.credential = credential
        self.role = role
    }

    /// The site's own process as a writer (tests, `arbor demo`, benchmarks): no row of the
    /// clients table, no permits. It cannot come from HTTP (the identity middleware only makes
    /// clients of rows) and must not fetch or load (its bit is no client's).
    public static let local = AuthenticatedClient(id: "", bit: ClientBit(0)!, credential: .siteProcess)

    /// The row the client was admitted with (enabled), to watch for a later cut-off (§2.7).
    public var admittedRecord: ClientRecord { ClientRecord(clientId: id, bit: bit, isDisabled: false, role: role) }

    public var description: String { "client '\(id)'" }
}
