import Dispatch
import Foundation

/// Everything `compare` started (clusters, processes, scratch directories), stopped in reverse
/// order exactly once: by `runAll()` on the normal path and on failure, and by SIGINT, SIGTERM
/// or SIGHUP before the benchmark exits.
final class BenchCleanup: @unchecked Sendable {
    static let shared = BenchCleanup()

    private let lock = NSLock()
    private var actions: [(id: Int, name: String, run: () -> Void)] = []
    private var nextId = 0
    private var signalSources: [DispatchSourceSignal] = []

    /// Registers `action`; returns an id for `run(_:)`, which runs it early (a restart).
    @discardableResult
    func add(_ name: String, _ action: @escaping () -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextId += 1
        actions.append((nextId, name, action))
        return nextId
    }

    /// Runs and forgets the action `id` (nothing when it already ran).
    func run(_ id: Int) {
        lock.lock()
        let index = actions.firstIndex { $0.id == id }
        let action = index.map { actions.remove(at: $0) }
        lock.unlock()
        action?.run()
    }

    /// Runs every registered action, newest first.
    func runAll() {
        lock.lock()
        let pending = actions.reversed()
        actions.removeAll()
        lock.unlock()
        for action in pending { action.run() }
    }

    /// Stops everything and exits when the benchmark is interrupted.
    func installSignalHandlers() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data("arbor-bench: signal \(number), stopping what was started\n".utf8))
                runAll()
                exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}

/// Runs a program to completion and returns what it printed; throws with its output when it fails.
/// Spawned directly (posix_spawn, waitpid) with its output in a file: a server it starts in the
/// background (pg_ctl start) inherits no pipe or descriptor that would make waiting hang.
@discardableResult
func runProgram(_ path: String, _ arguments: [String]) throws -> String {
    let outputPath = NSTemporaryDirectory() + "/arbor-compare-output-\(UUID().uuidString)"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw CompareError("cannot start \(path): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    let exitCode = (status >> 8) & 0xFF, signalNumber = status & 0x7F
    guard signalNumber == 0, exitCode == 0 else {
        throw CompareError("\(path) \(arguments.joined(separator: " ")) failed (exit \(exitCode), signal \(signalNumber)): \(text.suffix(2_000))")
    }
    return text
}

/// A free TCP port on the loopback interface (bound once to port 0, then released).
func freeLoopbackPort() throws -> Int {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketDescriptor >= 0 else { throw CompareError("cannot open a socket to find a free port") }
    defer { close(socketDescriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0 }
    }
    guard bound else { throw CompareError("cannot bind a loopback socket to find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

struct CompareError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
