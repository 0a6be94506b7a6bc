import Synchronization

/// Whether this site is connected to the center (§8.2): always at the center; at other sites
/// set by the father link (connected to its father, which itself reports being connected).
public final class CenterConnection: Sendable {
    private let state: Mutex<Bool>

    /// - Parameter isCenter: the center is connected by definition.
    public init(isCenter: Bool) {
        state = Mutex(isCenter)
    }

    public var isConnected: Bool { state.withLock { $0 } }

    /// Records the link's latest view.
    public func set(_ connected: Bool) {
        state.withLock { $0 = connected }
    }
}
