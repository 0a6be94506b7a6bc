import ArborCore

/// One row of the clients table (§2.7).
public struct ClientRecord: Hashable, Sendable {
    /// Unique client name, at most 64 characters.
    public var clientId: String
    public var bit: ClientBit
    public var isDisabled: Bool
    /// The stored hash of the client's secret (`ClientSecret` format), or nil when the client
    /// needs no secret (for trusted networks only). Never print or log it.
    public var secretHash: String?
    /// An application or a son site (only sons may upload; issue 11 item 3).
    public var role: ClientRole

    public init(clientId: String, bit: ClientBit, isDisabled: Bool, secretHash: String? = nil, role: ClientRole = .application) {
        self.clientId = clientId
        self.bit = bit
        self.isDisabled = isDisabled
        self.secretHash = secretHash
        self.role = role
    }

    /// Checks a client id before it reaches the table: 1–64 characters, no control characters,
    /// and a valid topic name (a son's id names its site topics).
    public static func validate(clientId: String) throws(StoreError) {
        guard !clientId.isEmpty, clientId.count <= 64 else {
            throw StoreError(.invalidInput, "client id must be 1 to 64 characters long (got \(clientId.count))")
        }
        guard !clientId.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError(.invalidInput, "client id contains a control character")
        }
        // A son's id becomes its naming topic `#arbor.son.<id>` (§2.6), and permits name ids
        // next to topics: every id must follow the topic name rules (issue 11 item 7).
        do { try Topic.validate(clientId) } catch {
            throw StoreError(.invalidInput, "client id must be usable as a topic (no blanks nor any of * + ! ( ) , #): \(error.description)")
        }
    }
}
