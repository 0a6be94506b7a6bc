import ArborCore
import ArborStore
import Foundation

/// The site's registrations (§2.1.3): masks per entity, read from and written to the store on
/// every use, because several server processes of one site share them (§8.1) — an edge may load
/// at one process and fetch at another. A change sets one client's bit with bit operations in
/// the database, so concurrent changes for different clients never overwrite each other. Which
/// client bits the site knows registrations for is cached (a client whose bit is unknown gets
/// `NotRegistered`); an unknown bit is re-read before it is refused. That mask is the site
/// counter ``SiteCounter/knownRegistrationBits``, changed only by atomic bit updates in the
/// store: two processes (or tasks) marking different bits at once both keep theirs.
public actor RegistrationTable {
    static let knownBitsKey = SiteCounter.knownRegistrationBits

    private let store: any SiteStore
    private var knownBits: UInt64?

    public init(store: any SiteStore) {
        self.store = store
    }

    /// The states of `bit` on `techIds`, as stored now.
    public func states(of bit: ClientBit, on techIds: Set<UUID>) async throws -> [UUID: RegistrationState] {
        guard !techIds.isEmpty else { return [:] }
        let masks = try await store.registrations(techIds)
        var result: [UUID: RegistrationState] = [:]
        for id in techIds { result[id] = (masks[id] ?? .none).state(of: bit) }
        return result
    }

    /// The entities on which `bit` is registered (synchronized or not), as stored now.
    public func registeredTechIds(of bit: ClientBit) async throws -> Set<UUID> {
        try await store.registeredTechIds(bit: bit)
    }

    /// Sets the state of `bit` on each entity in the store.
    public func set(_ states: [UUID: RegistrationState], for bit: ClientBit) async throws {
        try await store.setRegistrations(states, for: bit)
    }

    /// Whether the site holds registrations for `bit` (set by loads and RegisterEntities).
    public func isKnown(_ bit: ClientBit) async throws -> Bool {
        if try await loadKnownBits() & bit.mask != 0 { return true }
        // Another server process of the site may have learnt it since.
        knownBits = nil
        return try await loadKnownBits() & bit.mask != 0
    }

    /// Records that the site now holds registrations for `bit`.
    public func markKnown(_ bit: ClientBit) async throws {
        if let knownBits, knownBits & bit.mask != 0 { return }
        knownBits = try await store.updateSiteCounterBits(Self.knownBitsKey, setting: bit.mask, clearing: 0)
    }

    /// Forgets every registration of `bit`, in the database and in memory.
    public func forget(_ bit: ClientBit) async throws {
        try await Self.clearPersisted(bit, in: store)
        forgetCached(bit)
    }

    /// Forgets that this process knew registrations for `bit`, leaving the database alone: the
    /// operator's `arbor clients remove` already cleared it there.
    public func forgetCached(_ bit: ClientBit) {
        knownBits = knownBits.map { $0 & ~bit.mask }
    }

    /// Clears `bit` in every persisted mask and in the site's known bits, so a client that is
    /// given the bit later starts unregistered (`NotRegistered` until it loads or registers).
    /// Used by `arbor clients remove` before it deletes the row.
    public static func clearPersisted(_ bit: ClientBit, in store: any SiteStore) async throws(StoreError) {
        try await store.clearRegistrations(bit: bit)
        try await store.updateSiteCounterBits(knownBitsKey, setting: 0, clearing: bit.mask)
    }

    private func loadKnownBits() async throws -> UInt64 {
        if let knownBits { return knownBits }
        let stored = try await store.siteCounter(Self.knownBitsKey).map { UInt64(bitPattern: $0) } ?? 0
        knownBits = stored
        return stored
    }
}
