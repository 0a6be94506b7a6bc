import Foundation
import PostgresNIO
import Synchronization

/// Fans PostgreSQL notifications out to any number of in-process subscribers.
///
/// One dedicated connection (not a pooled one: a pooled connection goes back to the pool, and
/// its LISTEN with it) is opened on the first subscription and LISTENs on every channel of the
/// store. When it drops, the hub reconnects with a growing pause and wakes every subscriber
/// once, since notifications sent meanwhile are lost: subscribers re-read, so a lost wake-up
/// costs latency, never data.
final class PostgresNotificationHub: Sendable {
    private struct State {
        var subscribers: [String: [UUID: AsyncStream<Void>.Continuation]] = [:]
        var task: Task<Void, Never>?
        var connection: PostgresConnection?
        var isClosed = false
    }

    private let state = Mutex(State())
    private let channels: [String]
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger

    init(channels: [String], configuration: PostgresConnection.Configuration, logger: Logger) {
        self.channels = channels
        self.configuration = configuration
        self.logger = logger
    }

    /// A stream that yields after each notification on `channel` (bursts coalesce into one).
    func subscribe(_ channel: String) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        add(continuation, to: channel)
        return stream
    }

    /// Adds a continuation that is yielded to after each notification on `channel` and removed
    /// when its stream ends.
    func add(_ continuation: AsyncStream<Void>.Continuation, to channel: String) {
        let id = UUID()
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers[channel]?.removeValue(forKey: id) }
        }
        let accepted = state.withLock { state in
            guard !state.isClosed else { return false }
            state.subscribers[channel, default: [:]][id] = continuation
            if state.task == nil {
                state.task = Task { [weak self] in await self?.listen() }
            }
            return true
        }
        if !accepted { continuation.finish() }
    }

    /// Wakes the subscribers of `channel` (also used by the store itself right after a commit).
    func signal(_ channel: String) {
        for continuation in state.withLock({ Array(($0.subscribers[channel] ?? [:]).values) }) {
            continuation.yield()
        }
    }

    /// Stops listening and ends every subscriber's stream.
    func close() async {
        let (task, connection, continuations) = state.withLock { state in
            state.isClosed = true
            let continuations = state.subscribers.values.flatMap(\.values)
            state.subscribers = [:]
            return (state.task, state.connection, continuations)
        }
        task?.cancel()
        try? await connection?.close()
        await task?.value
        for continuation in continuations { continuation.finish() }
    }

    private func listen() async {
        var pause = Duration.milliseconds(100)
        var connectionNumber = 0
        while !Task.isCancelled, !state.withLock({ $0.isClosed }) {
            connectionNumber += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: connectionNumber, logger: logger)
                pause = .milliseconds(100)
                var failure: (any Error)?
                do {
                    try await listen(on: connection)
                } catch {
                    failure = error
                }
                // Closed on every path: PostgresNIO requires it before a connection is released.
                state.withLock { $0.connection = nil }
                try? await connection.close()
                if let failure { throw failure }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for PostgreSQL notifications failed; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    /// LISTENs on every channel of `connection` until the connection ends.
    private func listen(on connection: PostgresConnection) async throws {
        let open = state.withLock { state in
            guard !state.isClosed else { return false }
            state.connection = connection
            return true
        }
        guard open else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask {
                    try await connection.listen(on: channel) { notifications in
                        // Listening (again): whatever was sent before is unknown.
                        self.signal(channel)
                        for try await _ in notifications { self.signal(channel) }
                    }
                }
            }
            // A listener only ends when the connection does.
            try await group.next()
            group.cancelAll()
        }
    }
}
