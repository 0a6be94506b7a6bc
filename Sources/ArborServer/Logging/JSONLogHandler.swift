import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line, for log collectors:
/// `{"timestamp":"2026-12-02T06:34:26.123Z","level":"notice","label":"arbor.center","message":"…","metadata":{"key":"value"}}`.
///
/// Metadata values are written as strings (nested lists and dictionaries as their text), so
/// every line has the same shape; `metadata` is left out when empty.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    /// A handler for `label` passing each finished line (with its newline) to `write`;
    /// `now` is the clock (a test seam).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.now = now
    }

    private static let standardErrorLock = Mutex(())

    /// Writes `line` to standard error, one line at a time.
    @Sendable public static func standardError(_ line: String) {
        standardErrorLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        write(Self.line(timestamp: now(), level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// The JSON line (ending in a newline) for one entry.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "{\"timestamp\":\(quoted(timestampFormat.format(timestamp))),\"level\":\(quoted(level.rawValue))"
        line += ",\"label\":\(quoted(label)),\"message\":\(quoted(message))"
        if !metadata.isEmpty {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value.description))" }
            line += ",\"metadata\":{\(fields.joined(separator: ","))}"
        }
        return line + "}\n"
    }

    private static let timestampFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
