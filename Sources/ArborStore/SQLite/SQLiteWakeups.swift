#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Wakes the readers of other processes on the same SQLite database after a commit (DESIGN
/// "Storage": a local datagram). Every store object that waits for changes binds a Unix
/// datagram socket in the directory `<database>.<prefix>wake`; a writer sends one byte to each
/// socket there: `L` after appending to the log, `C` after changing the clients table. A lost
/// datagram costs latency only: readers also poll.
final class SQLiteWakeups: Sendable {
    enum Kind: UInt8 {
        case log = 0x4C
        case clients = 0x43
    }

    private struct Receiver {
        var descriptor: Int32
        var path: String
        var isClosing = false
    }

    /// The directory of the sockets.
    let directory: String
    private let receiver = Mutex<Receiver?>(nil)
    private let isClosed = Mutex(false)

    init(databasePath: String, prefixValue: String) {
        directory = "\(databasePath).\(prefixValue)wake"
    }

    /// Starts receiving, once: each datagram calls `onWake` with its kind, on a thread of its
    /// own (a blocking receive must not hold a thread of the concurrency pool).
    func startReceiving(_ onWake: @escaping @Sendable (Kind) -> Void) {
        let started = receiver.withLock { current -> Receiver? in
            guard current == nil, !isClosed.withLock({ $0 }) else { return nil }
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = "\(directory)/\(getpid())-\(UUID().uuidString.prefix(8)).sock"
            let descriptor = Self.datagramSocket()
            guard descriptor >= 0 else { return nil }
            guard Self.withAddress(path, { bind(descriptor, $0, $1) }) == 0 else {
                close(descriptor)
                return nil
            }
            current = Receiver(descriptor: descriptor, path: path)
            return current
        }
        guard let started else { return }
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = recv(started.descriptor, &byte, 1, 0)
                if receiver.withLock({ $0?.isClosing ?? true }) { break }
                if count == 1, let kind = Kind(rawValue: byte) { onWake(kind) }
                if count < 0, errno != EINTR { break }
            }
            close(started.descriptor)
        }
        thread.name = "arbor.sqlite.wakeups"
        thread.start()
    }

    /// Wakes every other receiving store object; removes sockets nobody receives on any more
    /// (left by a process that died).
    func notifyOthers(_ kind: Kind) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory), !names.isEmpty else { return }
        let own = receiver.withLock { $0?.path }
        let descriptor = Self.datagramSocket()
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var byte = kind.rawValue
        for name in names where name.hasSuffix(".sock") {
            let path = "\(directory)/\(name)"
            guard path != own else { continue }
            let sent = Self.withAddress(path) { address, length in Int32(sendto(descriptor, &byte, 1, Int32(MSG_DONTWAIT), address, length)) }
            // Nobody bound to it: its process is gone. A full queue (EAGAIN) already holds a wake-up.
            if sent < 0, errno == ECONNREFUSED || errno == ENOENT { unlink(path) }
        }
    }

    /// Stops receiving and removes this object's socket.
    func stop() {
        isClosed.withLock { $0 = true }
        guard let closing = receiver.withLock({ current -> Receiver? in
            current?.isClosing = true
            return current
        }) else { return }
        // Wake the receiving thread so it sees the flag, then take the name away.
        notifySelf(closing.path)
        unlink(closing.path)
    }

    private func notifySelf(_ path: String) {
        let descriptor = Self.datagramSocket()
        guard descriptor >= 0 else { return }
        var byte = Kind.log.rawValue
        _ = Self.withAddress(path) { address, length in Int32(sendto(descriptor, &byte, 1, Int32(MSG_DONTWAIT), address, length)) }
        close(descriptor)
    }

    private static func datagramSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
    }

    /// Calls `body` with `path` as a socket address; -1 when the path is too long for one.
    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
