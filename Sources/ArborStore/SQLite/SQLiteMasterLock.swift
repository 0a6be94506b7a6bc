#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The master lock of a site on SQLite: an exclusive `flock` on `<database>.<prefix>master.lock`.
/// The kernel drops it when the holding process dies, however it dies.
public final class SQLiteMasterLock: MasterLock {
    /// The lock file's path.
    public let path: String
    private let descriptor = Mutex<Int32?>(nil)

    public init(path: String) {
        self.path = path
    }

    public func tryAcquire() async throws(StoreError) -> Bool {
        let path = path
        return try descriptor.withLock { held throws(StoreError) -> Bool in
            if held != nil { return true }
            let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard opened >= 0 else {
                throw StoreError(.unreachable, "cannot open the master lock file \(path): \(String(cString: strerror(errno))); check the directory's permissions")
            }
            guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
                close(opened)
                return false
            }
            held = opened
            return true
        }
    }

    public func isHeld() async -> Bool {
        descriptor.withLock { $0 != nil }
    }

    public func release() async {
        descriptor.withLock { held in
            guard let fd = held else { return }
            flock(fd, LOCK_UN)
            close(fd)
            held = nil
        }
    }
}
