import ArborCore
import ArborStore
import Foundation

/// The site's registrations (§2.1.3) as the servers of this process see them: masks per entity,
/// loaded from the store on demand and written through, plus which client bits the site
/// knows registrations for (a client whose bit is unknown gets `NotRegistered`).
public actor RegistrationTable {
    static let knownBitsKey = "registrations.known-bits"

    private let store: any SiteStore
    private var masks: [UUID: RegistrationMasks] = [:]
    private var knownBits: UInt64?

    public init(store: any SiteStore) {
        self.store = store
    }

    /// The states of `bit` on `techIds`, loading masks not yet in memory.
    public func states(of bit: ClientBit, on techIds: Set<UUID>) async throws -> [UUID: RegistrationState] {
        try await load(techIds)
        var result: [UUID: RegistrationState] = [:]
        for id in techIds { result[id] = (masks[id] ?? .none).state(of: bit) }
        return result
    }

    /// Sets the state of `bit` on each entity and persists the changed masks.
    public func set(_ states: [UUID: RegistrationState], for bit: ClientBit) async throws {
        guard !states.isEmpty else { return }
        try await load(Set(states.keys))
        var changed: [UUID: RegistrationMasks] = [:]
        for (id, state) in states {
            var entry = masks[id] ?? .none
            entry.set(state, for: bit)
            if entry != masks[id] ?? .none { changed[id] = entry }
        }
        guard !changed.isEmpty else { return }
        try await store.saveRegistrations(changed)
        for (id, entry) in changed { masks[id] = entry }
    }

    /// Whether the site holds registrations for `bit` (set by loads and RegisterEntities).
    public func isKnown(_ bit: ClientBit) async throws -> Bool {
        try await loadKnownBits() & bit.mask != 0
    }

    /// Records that the site now holds registrations for `bit`.
    public func markKnown(_ bit: ClientBit) async throws {
        let bits = try await loadKnownBits()
        guard bits & bit.mask == 0 else { return }
        try await store.setSiteState(Self.knownBitsKey, String(bits | bit.mask))
        knownBits = bits | bit.mask
    }

    /// Forgets every registration of `bit`, in the database and in memory.
    public func forget(_ bit: ClientBit) async throws {
        try await Self.clearPersisted(bit, in: store)
        forgetCached(bit)
    }

    /// Forgets what this process cached about `bit` (masks and whether it is known), leaving
    /// the database alone: the operator's `arbor clients remove` already cleared it there, and
    /// a server must not write the removed client's bits back with another client's change.
    public func forgetCached(_ bit: ClientBit) {
        for (id, entry) in masks where entry.state(of: bit) != .unregistered {
            var cleared = entry
            cleared.set(.unregistered, for: bit)
            masks[id] = cleared
        }
        knownBits = knownBits.map { $0 & ~bit.mask }
    }

    /// Clears `bit` in every persisted mask and in the site's known bits, so a client that is
    /// given the bit later starts unregistered (`NotRegistered` until it loads or registers).
    /// Used by `arbor clients remove` before it deletes the row.
    public static func clearPersisted(_ bit: ClientBit, in store: any SiteStore) async throws(StoreError) {
        try await store.clearRegistrations(bit: bit)
        let stored = try await store.siteState(knownBitsKey).flatMap { UInt64($0) } ?? 0
        if stored & bit.mask != 0 {
            try await store.setSiteState(knownBitsKey, String(stored & ~bit.mask))
        }
    }

    private func load(_ techIds: Set<UUID>) async throws {
        let missing = techIds.filter { masks[$0] == nil }
        guard !missing.isEmpty else { return }
        let loaded = try await store.registrations(missing)
        for id in missing { masks[id] = loaded[id] ?? .none }
    }

    private func loadKnownBits() async throws -> UInt64 {
        if let knownBits { return knownBits }
        let stored = try await store.siteState(Self.knownBitsKey).flatMap { UInt64($0) } ?? 0
        knownBits = stored
        return stored
    }
}
