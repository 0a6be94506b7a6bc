/// The lock that makes one server process of a site its master (§8.1, DESIGN "Scaling out").
public protocol MasterLock: Sendable {
    /// Tries once, without waiting; true when this process holds the lock afterwards.
    func tryAcquire() async throws(StoreError) -> Bool
    /// Whether the lock is still held (a lost database session loses it).
    func isHeld() async -> Bool
    /// Gives the lock up (nothing when not held).
    func release() async
}
