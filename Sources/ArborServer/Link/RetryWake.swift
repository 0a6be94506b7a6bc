import Synchronization

/// Pauses between retries that an operator can cut short (``FatherLink/retryNow()``, SIGHUP to
/// `arbor serve`): every pause under way when ``wake()`` is called ends at once.
final class RetryWake: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits cancelled before their continuation was stored.
        var released: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// Sleeps for `duration`, or until ``wake()``; throws `CancellationError` when cancelled.
    func sleep(for duration: Duration) async throws {
        let generation = state.withLock { $0.generation }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.waitForWake(after: generation) }
            await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// Ends every pause under way; returns how many there were.
    @discardableResult
    func wake() -> Int {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for continuation in waiting { continuation.resume() }
        return waiting.count
    }

    private func waitForWake(after generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.generation != generation || state.released.remove(id) != nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
                state.released.insert(id)
                return nil
            }
            continuation?.resume()
        }
        state.withLock { _ = $0.released.remove(id) }
    }
}
