import ArborStore
import Foundation

extension SiteIncarnation {
    /// The incarnation a site serves and links as, settled before it starts: a restored copy
    /// re-joins as a new one (`renewed`), any other database keeps its own (made now when it
    /// has none). `arbor serve`, the father link and an embedded replica all start with it.
    public static func settle(in store: any SiteStore) async throws -> (incarnation: UUID, renewed: Bool) {
        if let renewed = try await rejoinIfPending(in: store, uploadedCounter: FatherLink.uploadedKey) { return (renewed, true) }
        return (try await ensure(in: store), false)
    }
}
