import Synchronization

/// Whether this site is connected to the center (§8.2): always at the center; at other sites
/// the father link's view (connected to its father, which itself reports being connected).
///
/// Only the master process of a site runs the father link (§8.1). It sets ``linkState`` here,
/// and ``CenterLinkShare`` records it in the database; in the site's other processes
/// ``CenterLinkShare`` sets the state read from there (``setShared(_:)``), so every process
/// answers its edges the same.
public final class CenterConnection: Sendable {
    private struct State {
        var linkState: Bool?
        var shared = false
    }

    private let isCenter: Bool
    private let state = Mutex(State())

    /// - Parameter isCenter: the center is connected by definition.
    public init(isCenter: Bool) {
        self.isCenter = isCenter
    }

    /// What this process tells its edges: its own link's view while the link runs here,
    /// otherwise the master's view as last read from the database.
    public var isConnected: Bool {
        if isCenter { return true }
        return state.withLock { $0.linkState ?? $0.shared }
    }

    /// The father link's view while it runs in this process (nil otherwise).
    public var linkState: Bool? { state.withLock { $0.linkState } }

    /// Records the link's latest view (the link runs in this process).
    public func set(_ connected: Bool) {
        state.withLock { $0.linkState = connected }
    }

    /// The link stopped in this process (it lost the master role or shut down); until the
    /// master's view is read, the site counts as not connected.
    public func linkStopped() {
        state.withLock { $0 = State() }
    }

    /// Records the master's view, read from the database.
    public func setShared(_ connected: Bool) {
        state.withLock { $0.shared = connected }
    }
}
