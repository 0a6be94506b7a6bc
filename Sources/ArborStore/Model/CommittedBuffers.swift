import ArborCore
import Synchronization

/// The log records this process committed lately, kept decoded, so the site's log tail takes
/// each one as written instead of decoding the bytes it just encoded (issue 12: the tail's
/// decoding was a large part of every write and of a son's apply).
///
/// Filled only after the transaction committed: a record rolled back never enters, and its
/// sequence may belong to another transaction. Taken only when the stored bytes are exactly
/// the bytes kept, so a log replaced underneath (a restored database) is decoded as usual.
public final class CommittedBuffers: Sendable {
    private struct Entry {
        var bytes: [UInt8]
        var buffer: DeltaBuffer
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        var order: [Int64] = []
        var bytes = 0
    }

    /// At most this many records, and of these many bytes, are kept; the oldest go first.
    public static let maximumRecords = 512
    public static let maximumBytes = 32 << 20

    private let state = Mutex(State())

    public init() {}

    /// Keeps `buffer`, committed as `bytes` at `buffer.sequence`.
    public func committed(_ buffer: DeltaBuffer, bytes: [UInt8]) {
        guard bytes.count <= Self.maximumBytes / 4 else { return }
        state.withLock { state in
            if let old = state.entries.updateValue(Entry(bytes: bytes, buffer: buffer), forKey: buffer.sequence) {
                state.bytes -= old.bytes.count
            } else {
                state.order.append(buffer.sequence)
            }
            state.bytes += bytes.count
            while state.order.count > Self.maximumRecords || state.bytes > Self.maximumBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                if let gone = state.entries.removeValue(forKey: oldest) { state.bytes -= gone.bytes.count }
            }
        }
    }

    /// The decoded buffer of `record` when this process committed exactly its bytes; the
    /// entry is given up either way.
    public func take(_ record: LogRecord) -> DeltaBuffer? {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: record.sequence) else { return nil }
            state.bytes -= entry.bytes.count
            if let index = state.order.firstIndex(of: record.sequence) { state.order.remove(at: index) }
            return entry.bytes == record.buffer ? entry.buffer : nil
        }
    }
}

/// A log record as a write made it: the buffer and its encoding.
struct LoggedBuffer: Sendable {
    var buffer: DeltaBuffer
    var bytes: [UInt8]
}
