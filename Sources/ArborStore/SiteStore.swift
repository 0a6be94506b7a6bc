import ArborCore
import Foundation

/// One site's database: the delta log, the entity tables built from the distribution schema,
/// the clients table, registrations, the stored schema and the site state.
///
/// One protocol, one implementation per backend (``PostgresSiteStore``, ``SQLiteSiteStore``),
/// one conformance suite (`ArborTesting.StoreConformance`) run against both.
public protocol SiteStore: AnyObject, Sendable {
    /// The schema this store was opened with.
    var schema: DistributionSchema { get }
    /// The table prefix (several instances may share one database, §7.2).
    var prefix: TablePrefix { get }

    /// The name of the site whose database this is; stamped on every log buffer.
    var siteName: String { get }

    /// Creates every Arbor table, trigger and entity table; harmless when run again. When the
    /// database holds another schema name it refuses with `.schemaMismatch`, unless
    /// `upgradingSchema` is true: then it creates the missing entity tables and columns (it
    /// never drops any) and stores the new schema name and text (`arbor schema apply`).
    func install(upgradingSchema: Bool) async throws(StoreError)

    /// Drops every table of this prefix (entity tables of the current schema included).
    func uninstall() async throws(StoreError)

    /// The schema name and text stored in the database (§4.4), nil before `install`.
    func storedSchema() async throws(StoreError) -> StoredSchema?

    /// Every schema this database has held, in the order applied, the current one last (empty
    /// before `install`). Log records are decoded with the schema they name (issue 10 item 9).
    func schemaHistory() async throws(StoreError) -> [StoredSchema]

    /// Runs one write transaction: locks and loads the entities named by `keys` (absent ones
    /// are missing from the dictionary), asks `plan` what to write, writes it, appends the
    /// plan's deltas to the log as one buffer with the next sequence, and commits. The log
    /// never skips a committed transaction: sequences follow commit order (DESIGN rule 2).
    /// After commit the store wakes log readers (see ``logAppended()``).
    func write<Result: Sendable>(
        reading keys: Set<EntityKey>,
        _ plan: @Sendable (_ loaded: [EntityKey: EntityState]) throws -> TransactionPlan<Result>
    ) async throws -> WriteReceipt<Result>

    /// Up to `limit` log records with sequences greater than `sequence`, in sequence order.
    func readLog(after sequence: Int64, limit: Int) async throws(StoreError) -> [LogRecord]

    /// The highest committed sequence (0 for an empty log).
    func lastSequence() async throws(StoreError) -> Int64
    /// Deletes the log records with sequences up to `sequence`, always keeping the newest record
    /// (it carries the sequence numbering on); returns how many were deleted.
    @discardableResult
    func trimLog(through sequence: Int64) async throws(StoreError) -> Int
    /// The oldest sequence still in the log (nil for an empty log).
    func firstSequence() async throws(StoreError) -> Int64?

    /// A signal after every commit that appended to the log, from this or (PostgreSQL)
    /// another process. Readers must also poll: a lost wake-up costs latency, never data.
    func logAppended() -> AsyncStream<Void>
    /// The records this process committed lately, decoded (nil: none kept); the log tail
    /// takes them instead of decoding what was just encoded.
    var committedBuffers: CommittedBuffers? { get }

    /// The entities with the given keys (absent ones are left out).
    func entities(_ keys: Set<EntityKey>) async throws(StoreError) -> [EntityState]

    /// A consistent picture of all entities as of one sequence (DESIGN rule 10): whole
    /// entities when `inCache`, headers for the others; logically deleted ones included.
    func snapshot() async throws(StoreError) -> StoreSnapshot

    /// Every client of the clients table (§2.7), ordered by bit number.
    func clients() async throws(StoreError) -> [ClientRecord]
    /// Adds a client of `role`; picks the lowest free bit when `bit` is nil. Errors name a
    /// duplicate id, a bit in use, or a full table (64 clients).
    func addClient(id: String, bit: ClientBit?, secretHash: String?, role: ClientRole) async throws(StoreError) -> ClientRecord
    /// Sets `is_disabled`; `.notFound` for an unknown id.
    func setClientDisabled(id: String, disabled: Bool) async throws(StoreError)
    /// Sets a client's role (issue 11 item 3); `.notFound` for an unknown id.
    func setClientRole(id: String, role: ClientRole) async throws(StoreError)
    /// Sets (or, with nil, clears) the stored hash of a client's secret; `.notFound` for an unknown id.
    func setClientSecretHash(id: String, hash: String?) async throws(StoreError)
    /// Removes a client row; `.notFound` for an unknown id.
    func removeClient(id: String) async throws(StoreError)
    /// Yields the clients table after every change to it (and once at start).
    func watchClients(pollInterval: Duration) -> AsyncThrowingStream<[ClientRecord], any Error>

    /// The persisted registration masks of the given entities (missing = none registered).
    func registrations(_ techIds: Set<UUID>) async throws(StoreError) -> [UUID: RegistrationMasks]
    /// Persists masks; an empty mask deletes the row.
    func saveRegistrations(_ masks: [UUID: RegistrationMasks]) async throws(StoreError)
    /// Sets one client's state on each entity, leaving the other clients' bits as they are in
    /// the database (several server processes of a site change masks concurrently).
    func setRegistrations(_ states: [UUID: RegistrationState], for bit: ClientBit) async throws(StoreError)
    /// Clears `bit` in every entity's masks (a removed client frees its bit).
    func clearRegistrations(bit: ClientBit) async throws(StoreError)
    /// The entities on which `bit` is registered, synchronized or not: one query whatever the
    /// number of entities the site holds (a load's bookkeeping costs what the client holds).
    func registeredTechIds(bit: ClientBit) async throws(StoreError) -> Set<UUID>

    /// A site-state value (own name, father, acknowledged sequences per link), nil when unset.
    func siteState(_ key: String) async throws(StoreError) -> String?
    /// Sets a site-state value outside any entity transaction.
    func setSiteState(_ key: String, _ value: String) async throws(StoreError)

    /// An integer site counter (``SiteCounter``: a link position, the known-registration mask,
    /// …), nil when unset.
    func siteCounter(_ name: String) async throws(StoreError) -> Int64?
    /// Sets a site counter unconditionally (a value only one process writes, such as the last
    /// transmission time).
    func setSiteCounter(_ name: String, _ value: Int64) async throws(StoreError)
    /// Compare-and-set: sets `name` to `value` only while it still holds `expected` (unset
    /// counts as 0); `.conflict` when another process moved it meanwhile. Serialized with the
    /// ``TransactionPlan/positionPreconditions`` of writes, so a position and the data it
    /// covers never diverge.
    func advanceSiteCounter(_ name: String, to value: Int64, from expected: Int64) async throws(StoreError)
    /// Sets the bits of `setting` and clears those of `clearing` in the 64-bit mask `name`
    /// (unset = 0) in one atomic statement, so concurrent changes of different bits, from tasks
    /// or processes, never lose one; returns the mask afterwards.
    @discardableResult
    func updateSiteCounterBits(_ name: String, setting: UInt64, clearing: UInt64) async throws(StoreError) -> UInt64

    /// Records this server process's announcement (§8.1), replacing its previous one.
    func announceServer(_ load: SiteServerLoad) async throws(StoreError)
    /// Every server process's last announcement (stale ones included; the caller judges age).
    func siteServers() async throws(StoreError) -> [SiteServerLoad]
    /// Removes a stopped process's announcement.
    func withdrawServer(url: String) async throws(StoreError)
    /// The lock whose holder is the site's master server process (§8.1): a PostgreSQL advisory
    /// lock, or an exclusive lock on a file next to the SQLite database. A process that dies
    /// loses it, so another process can take the role.
    func masterLock() -> any MasterLock

    /// The dynamic topics of a proxy's subscription (selective distribution, §8.3), by topic.
    func proxyTopics() async throws(StoreError) -> [ProxyTopicRecord]
    /// Records that a load or fetch used `topics` at `microseconds`: unknown topics are added
    /// as requested (not active); a last use never moves back.
    func useProxyTopics(_ topics: Set<String>, atMicroseconds microseconds: Int64) async throws(StoreError)
    /// Marks `topics` active (the site now receives them from its father); unknown ones are ignored.
    func activateProxyTopics(_ topics: Set<String>) async throws(StoreError)
    /// Removes those of `topics` last used before `cutoff` (µs), so a use recorded meanwhile
    /// keeps its topic; returns the topics removed.
    @discardableResult
    func removeProxyTopics(_ topics: Set<String>, unusedBefore cutoff: Int64) async throws(StoreError) -> Set<String>

    /// The stored fetch acknowledgement state of registered client `clientId` (DESIGN rule 3,
    /// issue 10 item 4), nil when none was stored.
    func fetchAcknowledgement(clientId: String) async throws(StoreError) -> FetchAcknowledgementRecord?
    /// Compare-and-set: when the stored generation of `record.clientId` is `expectedGeneration`
    /// (nil: no row is stored), stores `record` with generation `(expectedGeneration ?? 0) + 1`
    /// and, in the same transaction, sets `committing` for `record.bit` as
    /// ``setRegistrations(_:for:)`` does. Returns the new generation, or nil (nothing changed)
    /// when another change came first.
    func replaceFetchAcknowledgement(
        _ record: FetchAcknowledgementRecord, expectedGeneration: Int64?, committing: [UUID: RegistrationState]
    ) async throws(StoreError) -> Int64?
    /// Forgets the acknowledged sequence and pending batch of `clientId` (a load or an
    /// unregistration gave the client a new starting point), incrementing the generation so a
    /// fetch still in flight stores nothing; nothing happens when no row is stored.
    func resetFetchAcknowledgement(clientId: String) async throws(StoreError)
    /// The recorded outcome of client `clientId`'s append `requestId` (issue 10 item 13), nil
    /// when no such append committed (or its record outlived the retention).
    func appendRequest(clientId: String, requestId: String) async throws(StoreError) -> AppendRequestRecord?
    /// Deletes append-request records recorded before `cutoff` (µs); returns how many.
    @discardableResult
    func removeAppendRequests(recordedBefore cutoff: Int64) async throws(StoreError) -> Int

    /// Releases connections. The store is unusable afterwards.
    func close() async
}

extension SiteStore {
    public var committedBuffers: CommittedBuffers? { nil }

    /// Adds an application client without a secret (see ``addClient(id:bit:secretHash:role:)``).
    public func addClient(id: String, bit: ClientBit?) async throws(StoreError) -> ClientRecord {
        try await addClient(id: id, bit: bit, secretHash: nil, role: .application)
    }

    /// Adds a client of `role` without a secret.
    public func addClient(id: String, bit: ClientBit?, role: ClientRole) async throws(StoreError) -> ClientRecord {
        try await addClient(id: id, bit: bit, secretHash: nil, role: role)
    }

    /// Adds an application client (see ``addClient(id:bit:secretHash:role:)``).
    public func addClient(id: String, bit: ClientBit?, secretHash: String?) async throws(StoreError) -> ClientRecord {
        try await addClient(id: id, bit: bit, secretHash: secretHash, role: .application)
    }
}
