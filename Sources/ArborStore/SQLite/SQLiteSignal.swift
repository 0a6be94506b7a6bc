import Foundation
import Synchronization

/// An in-process wake-up fanned out to every subscriber of one store object.
///
/// Each subscriber gets its own stream that buffers at most one pending signal: a burst of
/// commits wakes a slow reader once, and it then reads everything committed so far. Other
/// processes are woken by ``SQLiteWakeups``.
final class SQLiteSignal: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<Void>.Continuation] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    /// A new subscription; it ends when the consumer stops iterating or the signal is closed.
    func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        add(continuation)
        return stream
    }

    /// Registers an existing continuation (a watcher that merges these signals with a timer).
    func add(_ continuation: AsyncStream<Void>.Continuation) {
        let id = UUID()
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        let accepted = state.withLock { state in
            guard !state.isClosed else { return false }
            state.subscribers[id] = continuation
            return true
        }
        if !accepted { continuation.finish() }
    }

    /// Wakes every subscriber.
    func signal() {
        for continuation in state.withLock({ Array($0.subscribers.values) }) {
            continuation.yield()
        }
    }

    /// Ends every subscription and refuses new ones (the store was closed).
    func close() {
        let subscribers = state.withLock { state in
            state.isClosed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
    }
}
