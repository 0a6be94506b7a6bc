import ArborCore
import ArborStore
import Logging
import ServiceLifecycle
import Synchronization

/// Follows the site's log in sequence order and keeps the newest buffers decoded in memory.
///
/// Woken by the store after each commit and also polling, so a lost wake-up costs latency only
/// (DESIGN "Storage"). Readers wait for a sequence with ``waitForSequence(after:timeout:)`` and
/// read buffers with ``buffers(after:limit:)``; older ones come from the store.
public final class LogTail: Service, Sendable {
    private struct State {
        var window: [DeltaBuffer] = []
        var lastSequence: Int64 = 0
        var waiters: [UInt64: (after: Int64, continuation: CheckedContinuation<Void, Never>)] = [:]
        /// Waits released before their continuation was stored (cancelled or timed out early).
        var released: Set<UInt64> = []
        var nextWaiter: UInt64 = 0
        /// The record the tail stopped at, until it decodes.
        var blocked: UndecodableLogRecord?
        /// The log's end at the first read: later transactions count as appended (metrics).
        var countedAfter: Int64?
        var appendedTransactions: Int64 = 0
        var appendedDeltas: Int64 = 0
    }

    private let store: any SiteStore
    /// Every schema the log's records may name: each is decoded with its own (issue 10 item 9).
    private let schemas: SchemaCatalog
    private let maximumBufferBytes: Int
    private let windowSize: Int
    private let pollInterval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - windowSize: how many recent buffers stay decoded in memory.
    ///   - pollInterval: how often the log is read without a wake-up.
    ///   - maximumBufferBytes: the largest record decoded (the site's `maximumTransactionBytes`).
    public init(
        store: any SiteStore, maximumBufferBytes: Int = WriteLimits.defaultMaximumTransactionBytes, windowSize: Int = 4096,
        pollInterval: Duration = .milliseconds(500), logger: Logger
    ) {
        self.store = store
        schemas = SchemaCatalog(store: store)
        self.maximumBufferBytes = maximumBufferBytes
        self.windowSize = max(1, windowSize)
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// The last sequence read from the log.
    public var lastSequence: Int64 { state.withLock { $0.lastSequence } }

    /// Transactions and deltas committed to the log since its first read by this tail.
    public var appended: (transactions: Int64, deltas: Int64) {
        state.withLock { ($0.appendedTransactions, $0.appendedDeltas) }
    }

    /// The record right after ``lastSequence`` that cannot be decoded, if the tail stopped at one.
    public var blocked: UndecodableLogRecord? { state.withLock { $0.blocked } }

    /// Throws ``blocked`` to a reader at `sequence` that has read everything before it.
    public func checkNotBlocked(at sequence: Int64) throws(UndecodableLogRecord) {
        if let blocked, sequence >= blocked.sequence - 1 { throw blocked }
    }

    /// Reads the log up to its end once; `run()` keeps doing it. The first read starts at the
    /// newest window: older buffers are read from the store when someone asks for them, so a
    /// long retained log is not decoded at start.
    public func catchUp() async throws {
        if lastSequence == 0 {
            let end = try await store.lastSequence()
            let start = max(0, end - Int64(windowSize))
            state.withLock { state in
                if state.countedAfter == nil { state.countedAfter = end }
                if state.lastSequence == 0, state.window.isEmpty { state.lastSequence = start }
            }
        }
        while true {
            let after = lastSequence
            let records = try await store.readLog(after: after, limit: 512)
            if records.isEmpty { return }
            let history = try await schemas.history()
            var decoded: [DeltaBuffer] = []
            for record in records {
                do { decoded.append(try decode(record, history: history)) } catch {
                    publish(decoded)
                    state.withLock { $0.blocked = error }
                    throw error
                }
            }
            state.withLock { $0.blocked = nil }
            publish(decoded)
        }
    }

    /// Reads the log when this tail is behind `committed`, a sequence the store reported as
    /// committed: afterwards ``lastSequence`` is at least `committed` (read your writes, issue
    /// 10 item 6). Costs nothing when the tail is already there.
    public func catchUp(through committed: Int64) async throws {
        guard lastSequence < committed else { return }
        try await catchUp()
    }

    public func run() async throws {
        let wakeups = store.logAppended()
        do { try await catchUp() } catch let error as UndecodableLogRecord {
            // Readers stay before the record (each read reports it); the site keeps serving the rest.
            logger.error("\(error)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [weak self] in
                for await _ in wakeups.cancelOnGracefulShutdown() {
                    // A failed read (the database restarting, say) is retried by the poll below.
                    do { try await self?.catchUp() } catch {
                        // A read cut short by shutdown is no failure.
                        if !Task.isCancelled && !Task.isShuttingDownGracefully { self?.logger.warning("reading the log after a wake-up failed: \(error)") }
                    }
                }
            }
            group.addTask { [weak self, pollInterval] in
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try await Task.sleep(for: pollInterval)
                    do { try await self?.catchUp() } catch {
                        if !Task.isCancelled && !Task.isShuttingDownGracefully { self?.logger.warning("reading the log failed: \(error)") }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
        releaseAllWaiters()
    }

    /// Waits until a sequence greater than `after` is read, or `timeout` passes, or the task is
    /// cancelled; returns the last sequence then.
    public func waitForSequence(after: Int64, timeout: Duration) async -> Int64 {
        if lastSequence > after { return lastSequence }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = state.withLock { state -> Bool in
                            if state.lastSequence > after || state.released.remove(id) != nil || Task.isCancelled { return true }
                            state.waiters[id] = (after, continuation)
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    self.release(id)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
        }
        state.withLock { _ = $0.released.remove(id) }
        return lastSequence
    }

    /// Buffers with sequences greater than `sequence`, at most `limit`, in order; nil when
    /// `sequence` is older than the window (the caller reads the store).
    public func windowBuffers(after sequence: Int64, limit: Int) -> [DeltaBuffer]? {
        state.withLock { state in
            guard let first = state.window.first else { return sequence >= state.lastSequence ? [] : nil }
            guard sequence >= first.sequence - 1 else { return nil }
            let start = state.window.firstIndex { $0.sequence > sequence } ?? state.window.endIndex
            return Array(state.window[start...].prefix(limit))
        }
    }

    /// Buffers after `sequence` from memory, or decoded from the store when older.
    /// A reader that has read everything before a record the tail cannot decode gets
    /// ``UndecodableLogRecord``, never an answer that skips it.
    public func buffers(after sequence: Int64, limit: Int) async throws -> [DeltaBuffer] {
        if let fromWindow = windowBuffers(after: sequence, limit: limit) {
            if fromWindow.isEmpty { try checkNotBlocked(at: sequence) }
            return fromWindow
        }
        let records = try await store.readLog(after: sequence, limit: limit)
        let history = try await schemas.history()
        return try records.map { try decode($0, history: history) }
    }

    /// The record's buffer, decoded with the schema it names (the current one or an older one
    /// of the history) and read as a buffer of the current schema. One that cannot be decoded
    /// stops readers with an error at its sequence (issue 10 item 7): skipping it would lose
    /// its deltas for every reader while positions moved past it.
    private func decode(_ record: LogRecord, history: SchemaHistory) throws(UndecodableLogRecord) -> DeltaBuffer {
        // Written by this process in the current schema: taken as written, not decoded again
        // (within the same size limit: a record above it stops readers as decoding would).
        if record.buffer.count <= maximumBufferBytes, let written = store.committedBuffers?.take(record) { return written }
        do {
            return try DeltaBufferCodec.decode(record.buffer, history: history, maxBufferSize: maximumBufferBytes)
        } catch {
            throw UndecodableLogRecord(site: store.siteName, sequence: record.sequence, cause: error)
        }
    }

    private func publish(_ decoded: [DeltaBuffer]) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            // Two readers (the service and a caller's catchUp) may read the same records.
            let decoded = decoded.filter { $0.sequence > state.lastSequence }
            guard !decoded.isEmpty else { return [] }
            state.window += decoded
            for buffer in decoded where buffer.sequence > state.countedAfter ?? .max {
                state.appendedTransactions += 1
                state.appendedDeltas += Int64(buffer.deltas.count)
            }
            if state.window.count > windowSize { state.window.removeFirst(state.window.count - windowSize) }
            state.lastSequence = decoded.last?.sequence ?? state.lastSequence
            let last = state.lastSequence
            let due = state.waiters.filter { $0.value.after < last }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Ends the wait `id`: resumes it if it is stored, else remembers it so it never stores.
    private func release(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter.continuation }
            state.released.insert(id)
            return nil
        }
        continuation?.resume()
    }

    private func releaseAllWaiters() {
        let all = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in all { continuation.resume() }
    }
}

/// A log record this site cannot decode: readers stop before it instead of skipping it.
public struct UndecodableLogRecord: Error, Sendable, CustomStringConvertible {
    /// The site whose log holds the record.
    public var site: String
    /// The record's sequence; readers stay before it.
    public var sequence: Int64
    /// Why it does not decode (too large, another schema, corrupt).
    public var cause: DeltaCodecError

    public var description: String {
        "log record \(sequence) of site '\(site)' cannot be decoded (\(cause)): readers stop before it; "
            + "if it is above the size limit, raise maximumTransactionBytes to at least its size"
    }
}
