import Dispatch
import Synchronization

/// Runs secret key derivations (tens of milliseconds of CPU each) on a few dedicated threads,
/// never on Swift's cooperative pool, so a flood of secrets cannot starve the tasks that answer
/// status GETs, appends and shutdown (issue 11 item 4).
///
/// At most ``threads`` derivations run at once; at most ``maximumWaiting`` more wait. A request
/// beyond that is refused at once (``submit(_:)`` answers nil) instead of piling up. A waiting
/// derivation whose task was cancelled (shutdown) is skipped.
public final class SecretHashingQueue: Sendable {
    /// Derivations that may run at the same time (one serial queue each).
    public let threads: Int
    /// Derivations that may wait for a thread.
    public let maximumWaiting: Int
    private let queues: [DispatchQueue]
    /// Derivations running or waiting per queue; a new one goes to the least loaded queue.
    private let loads: Mutex<[Int]>

    public init(threads: Int = 2, maximumWaiting: Int = 32) {
        self.threads = max(1, threads)
        self.maximumWaiting = max(0, maximumWaiting)
        queues = (0..<self.threads).map { DispatchQueue(label: "arbor.secret-hashing.\($0)", qos: .utility) }
        loads = Mutex(Array(repeating: 0, count: self.threads))
    }

    /// Derivations running or waiting now.
    public var inFlight: Int { loads.withLock { $0.reduce(0, +) } }

    /// Runs `work` on a hashing thread and answers its result; nil, without running it, when
    /// the queue is full or the calling task was cancelled before a thread took it.
    public func submit<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        let limit = threads + maximumWaiting
        let chosen = loads.withLock { loads -> Int? in
            guard loads.reduce(0, +) < limit, let index = loads.indices.min(by: { loads[$0] < loads[$1] }) else { return nil }
            loads[index] += 1
            return index
        }
        guard let chosen else { return nil }
        defer { loads.withLock { $0[chosen] -= 1 } }
        let cancelled = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                queues[chosen].async {
                    guard !cancelled.isSet else { return continuation.resume(returning: nil) }
                    continuation.resume(returning: work())
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }
}

/// Set when the task that queued a derivation is cancelled, read by the hashing thread.
private final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
