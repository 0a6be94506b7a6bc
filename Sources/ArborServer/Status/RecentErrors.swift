/// The latest errors of one server process, for the status page: a small bounded ring, where
/// an error repeating one of the last few only counts up and moves to the end (a flood, or the
/// two halves of a link failing in turn, keeps one entry each).
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

    /// How many of the latest entries a new error is compared with.
    static let repeatWindow = 8
    /// How many entries are kept.
    let capacity: Int
    private(set) var entries: [Entry] = []

    init(capacity: Int = 50) {
        self.capacity = max(1, capacity)
    }

    /// Event: an error happened at `now`.
    mutating func record(source: String, code: String, message: String, atMicroseconds now: Int64) {
        let message = String(message.prefix(500))
        let recent = entries.indices.suffix(Self.repeatWindow)
        if let index = recent.last(where: { entries[$0].source == source && entries[$0].code == code && entries[$0].message == message }) {
            var repeated = entries.remove(at: index)
            repeated.count += 1
            repeated.atMicroseconds = now
            entries.append(repeated)
            return
        }
        entries.append(Entry(atMicroseconds: now, source: source, code: code, message: message, count: 1))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }
}
