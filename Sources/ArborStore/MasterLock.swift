/// The lock that makes one server process of a site its master (§8.1, DESIGN "Scaling out").
public protocol MasterLock: Sendable {
    /// Tries once, without waiting; true when this process holds the lock afterwards.
    func tryAcquire() async throws(StoreError) -> Bool
    /// Whether the lock is still held (a lost database session loses it).
    func isHeld() async -> Bool
    /// Gives the lock up (nothing when not held).
    func release() async
}

enum MasterLockName {
    /// A stable 64-bit key for `prefix`'s master lock (FNV-1a of a fixed text), so every process
    /// of one instance asks for the same PostgreSQL advisory lock and other instances do not.
    static func advisoryKey(prefix: TablePrefix) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "arbor.master.\(prefix.value)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
