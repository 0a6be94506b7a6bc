/// The stored outcome of one append that carried a request id (issue 10 item 13): written in
/// the append's own transaction, so it exists exactly when the append committed.
public struct AppendRequestRecord: Hashable, Sendable {
    /// The client that sent it (`""` for an anonymous edge).
    public var clientId: String
    /// The id the edge gave the request (`X-Arbor-Request-Id`).
    public var requestId: String
    /// The log sequence of the append's buffer; nil when it appended nothing.
    public var sequence: Int64?
    /// The merge outcome of each write, by protocol name (`created`, `accepted`, …).
    public var outcomes: [String]
    /// When it was recorded (µs since 1970); rows older than the retention are deleted.
    public var recordedMicroseconds: Int64

    public init(clientId: String, requestId: String, sequence: Int64?, outcomes: [String], recordedMicroseconds: Int64) {
        self.clientId = clientId
        self.requestId = requestId
        self.sequence = sequence
        self.outcomes = outcomes
        self.recordedMicroseconds = recordedMicroseconds
    }

    /// The outcomes as stored: comma-separated protocol names (which contain no commas).
    var storedOutcomes: String { outcomes.joined(separator: ",") }

    /// Outcomes read back from their stored form.
    static func outcomes(stored: String) -> [String] {
        stored.isEmpty ? [] : stored.split(separator: ",").map(String.init)
    }
}
