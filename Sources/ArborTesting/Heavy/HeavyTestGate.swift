import Foundation

/// A first-in-first-out async semaphore that bounds how many heavy end-to-end test cases run
/// at once in the test process (all test targets run in one process, so they share
/// `HeavyTestGate.shared`).
///
/// Heavy cases start real `arbor` processes or drive multi-site trees for many seconds; on a
/// loaded 2-core machine too many of them at once starve each other past every time bound.
/// Light tests never take a permit and keep running in parallel.
public actor HeavyTestGate {
    /// The process-wide gate: `ARBOR_TEST_HEAVY_PARALLELISM` permits (default 2).
    public static let shared = HeavyTestGate(permits: HeavyTestGate.configuredPermits())

    /// The default number of heavy cases that run at once.
    public static let defaultPermits = 2

    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The number of permits this gate was made with.
    public nonisolated let permits: Int

    /// A gate with `permits` permits (at least 1).
    public init(permits: Int) {
        self.permits = max(1, permits)
        available = self.permits
    }

    /// `ARBOR_TEST_HEAVY_PARALLELISM` when it is a positive integer, else `defaultPermits`.
    /// Only test support reads the environment.
    public static func configuredPermits(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        guard let text = environment["ARBOR_TEST_HEAVY_PARALLELISM"], let value = Int(text), value > 0 else { return defaultPermits }
        return value
    }

    /// Waits (in arrival order) until a permit is free and takes it.
    public func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a permit back: to the longest waiter if there is one.
    public func release() {
        if waiters.isEmpty {
            available = min(permits, available + 1)
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// How many permits are free and how many cases wait (for tests of the gate).
    public var state: (available: Int, waiting: Int) { (available, waiters.count) }

    /// Runs `body` holding a permit, released however `body` ends.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}
