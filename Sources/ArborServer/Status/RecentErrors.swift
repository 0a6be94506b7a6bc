/// The latest errors of one server process, for the status page: a small bounded ring, where
/// an error repeating the one before it only counts up (a flood keeps one entry).
struct RecentErrors: Hashable, Sendable {
    /// One error as the page shows it.
    struct Entry: Codable, Hashable, Sendable {
        /// When it last happened (wall-clock microseconds).
        var atMicroseconds: Int64
        /// Where: the request path, or the part of the site (`father link download`).
        var source: String
        /// The protocol error code (`NotAuthenticated`, `Internal`, …).
        var code: String
        var message: String
        /// How many times in a row it happened.
        var count: Int
    }

    /// How many entries are kept.
    let capacity: Int
    private(set) var entries: [Entry] = []

    init(capacity: Int = 50) {
        self.capacity = max(1, capacity)
    }

    /// Event: an error happened at `now`.
    mutating func record(source: String, code: String, message: String, atMicroseconds now: Int64) {
        let message = String(message.prefix(500))
        if let last = entries.last, last.source == source, last.code == code, last.message == message {
            entries[entries.count - 1].count += 1
            entries[entries.count - 1].atMicroseconds = now
            return
        }
        entries.append(Entry(atMicroseconds: now, source: source, code: code, message: message, count: 1))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }
}
