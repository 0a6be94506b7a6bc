import ArborStore
import Foundation

/// The identity of one continuous history of a site's database (DESIGN "Site identity and
/// trust"): a UUID made by `arbor init` and sent on every request of the site's link to its
/// father, which keeps the son's upload position per incarnation.
///
/// A database rebuilt with `arbor init` gets a new incarnation, so its father starts it from
/// position 0 after its load. A restored copy (made by `arbor backup`, or marked with
/// `arbor init --restored`) is marked *re-join pending*: the first time the site's link starts
/// on it, it takes a new incarnation, re-uploads the log it holds (merging is idempotent: every
/// field keeps its write time) and reloads from its father what it lost. See
/// `Docs/architecture.md`, "Incarnations, backups and restores".
public enum SiteIncarnation {
    /// Site-state key of the incarnation (a UUID string).
    public static let key = "site.incarnation"
    /// Site counter: 1 while a restored copy waits to re-join as a new incarnation.
    public static let rejoinPendingCounter = SiteCounter.rejoinPending
    /// Site counter: 1 while the father link must reload (a registering SyncLoad) instead of
    /// resuming its fetches from the stored position.
    public static let reloadPendingCounter = "link.father.reload-pending"
    /// Site counter: 1 once an incarnation was made (so two makers cannot both store theirs).
    static let madeCounter = "site.incarnation.made"

    /// The stored incarnation; nil before `arbor init` made one.
    public static func current(in store: any SiteStore) async throws(StoreError) -> UUID? {
        try await store.siteState(key).flatMap(UUID.init(uuidString:))
    }

    /// The stored incarnation, made now when the database has none (a database installed by
    /// an Arbor without incarnations, or by a test). `arbor init` and the link's start call it.
    ///
    /// Several processes of one site run `arbor init` at once (`arbor@.service`): the first to
    /// commit makes the incarnation (compare-and-set on ``madeCounter``) and the others read it.
    public static func ensure(in store: any SiteStore) async throws(StoreError) -> UUID {
        if let existing = try await current(in: store) { return existing }
        let made = UUID()
        do {
            _ = try await store.write(reading: []) { _ in
                TransactionPlan(
                    siteState: [key: made.uuidString], siteCounters: [madeCounter: 1], positionPreconditions: [madeCounter: 0], result: ()
                )
            }
        } catch let error as StoreError where error.code == .conflict {
            if let existing = try await current(in: store) { return existing }
            throw error
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "storing the site's incarnation failed: \(error)", underlying: error)
        }
        return made
    }

    /// Marks the database as a restored copy: the link re-joins as a new incarnation at its next start.
    public static func markRestored(_ store: any SiteStore) async throws(StoreError) {
        try await store.setSiteCounter(rejoinPendingCounter, 1)
    }

    /// Whether a re-join is pending.
    public static func isRejoinPending(in store: any SiteStore) async throws(StoreError) -> Bool {
        try await store.siteCounter(rejoinPendingCounter) == 1
    }

    /// When a re-join is pending, takes a new incarnation in one transaction that also clears
    /// the mark, resets the father's acknowledged upload position (`uploadedCounter`, so log
    /// trimming keeps everything until the father acknowledges it again) and asks the link to
    /// reload. Only one caller wins (compare-and-set on the mark); returns the new incarnation,
    /// or nil when nothing was pending.
    public static func rejoinIfPending(in store: any SiteStore, uploadedCounter: String) async throws -> UUID? {
        guard try await isRejoinPending(in: store) else { return nil }
        let made = UUID()
        do {
            _ = try await store.write(reading: []) { _ in
                TransactionPlan(
                    siteState: [key: made.uuidString],
                    siteCounters: [rejoinPendingCounter: 0, uploadedCounter: 0, reloadPendingCounter: 1],
                    positionPreconditions: [rejoinPendingCounter: 1],
                    result: ()
                )
            }
        } catch let error as StoreError where error.code == .conflict {
            return nil
        }
        return made
    }
}
