import Synchronization

/// One store read shared by the requests that ask for it at once, each still answered by a
/// read that began after it asked (so nothing committed before the request is missed).
///
/// A caller joins the read that is queued to start, if there is one; otherwise, with no read
/// running, it starts one; with one running — which may have begun before the caller asked —
/// it queues the next, which starts when the running one ends. So a burst of N callers costs
/// at most two reads instead of N, and each waits at most two reads. A failed read fails the
/// callers that joined it; the next caller reads again.
///
/// A thousand long-polling edges woken by one commit each ask for the log's last sequence
/// (read your writes) and the log's incarnation: without this, N identical queries per commit.
final class CoalescedRead<Value: Sendable>: Sendable {
    private let read: @Sendable () async throws -> Value
    private let state = Mutex(State())

    private struct State {
        var running: Task<Value, any Error>?
        var runningNumber = 0
        var queued: Task<Value, any Error>?
        /// Reads started so far; the callers that joined the queued read (observed by tests).
        var started = 0
        var queuedCallers = 0
    }

    init(_ read: @escaping @Sendable () async throws -> Value) {
        self.read = read
    }

    /// The value as read by a read that began after this call.
    func value() async throws -> Value {
        let task: Task<Value, any Error> = state.withLock { state in
            if let queued = state.queued {
                state.queuedCallers += 1
                return queued
            }
            guard let running = state.running else { return start(in: &state) }
            let queued = Task {
                _ = try? await running.value
                return try await self.promoteQueuedAndRead()
            }
            state.queued = queued
            state.queuedCallers = 1
            return queued
        }
        return try await task.value
    }

    /// How many reads began, and how many callers wait for the queued one.
    var counts: (started: Int, queuedCallers: Int) { state.withLock { ($0.started, $0.queuedCallers) } }

    /// Starts a read as the running one; it clears itself when it ends.
    private func start(in state: inout State) -> Task<Value, any Error> {
        state.started += 1
        state.runningNumber += 1
        let number = state.runningNumber
        let task = Task {
            defer { self.finished(number) }
            return try await self.read()
        }
        state.running = task
        return task
    }

    private func finished(_ number: Int) {
        state.withLock { state in
            if state.runningNumber == number { state.running = nil }
        }
    }

    /// The queued read becomes the running one before it reads: callers from now on queue anew.
    private func promoteQueuedAndRead() async throws -> Value {
        let number: Int = state.withLock { state in
            state.started += 1
            state.runningNumber += 1
            state.running = state.queued
            state.queued = nil
            state.queuedCallers = 0
            return state.runningNumber
        }
        defer { finished(number) }
        return try await read()
    }
}
