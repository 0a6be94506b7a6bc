import Foundation
import Logging

/// How `arbor serve` writes its log: the lowest level written and the line format, from
/// `--log-level`/`--log-format`, else `ARBOR_LOG_LEVEL`/`ARBOR_LOG_FORMAT`, else info and text.
///
/// Unknown values are refused (an operator who typed `verbose` would otherwise get the default
/// and wonder why nothing more is written).
public struct LogSettings: Sendable, Equatable {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// swift-log's own lines (`2026-… info arbor.center : key=value message`).
        case text
        /// One JSON object per line (see ``JSONLogHandler``).
        case json
    }

    public var level: Logger.Level
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    /// The variables read by ``resolve(level:format:environment:)`` (not keys of `arbor serve`'s configuration file).
    public static let environmentVariables = ["ARBOR_LOG_LEVEL", "ARBOR_LOG_FORMAT"]

    /// The levels, lowest first, as they are written on the command line.
    public static let levelNames = Logger.Level.allCases.map(\.rawValue)

    /// The settings from the flags (`level`, `format`, nil when not given), else `environment`.
    public static func resolve(level: String?, format: String?, environment: [String: String]) throws(ServeConfigurationError) -> LogSettings {
        var settings = LogSettings()
        if let (value, source) = pick(level, "--log-level", environment, "ARBOR_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: value.lowercased()) else {
                throw ServeConfigurationError("\(source) '\(value)' is not a log level: use one of \(levelNames.joined(separator: ", "))")
            }
            settings.level = parsed
        }
        if let (value, source) = pick(format, "--log-format", environment, "ARBOR_LOG_FORMAT") {
            guard let parsed = Format(rawValue: value.lowercased()) else {
                throw ServeConfigurationError(
                    "\(source) '\(value)' is not a log format: use one of \(Format.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            settings.format = parsed
        }
        return settings
    }

    private static func pick(
        _ flag: String?, _ flagName: String, _ environment: [String: String], _ variable: String
    ) -> (value: String, source: String)? {
        if let flag { return (flag, flagName) }
        if let value = environment[variable] { return (value, variable) }
        return nil
    }

    /// A handler for `label` writing to standard error in this format at this level.
    public func makeHandler(label: String, metadataProvider: Logger.MetadataProvider?) -> any LogHandler {
        switch format {
        case .text:
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        case .json:
            var handler = JSONLogHandler(label: label, metadataProvider: metadataProvider, write: JSONLogHandler.standardError)
            handler.logLevel = level
            return handler
        }
    }

    /// Makes every logger of the process (Arbor's, Hummingbird's, PostgresNIO's) use these
    /// settings. Call once, before the first logger is made.
    public func bootstrap() {
        let settings = self
        LoggingSystem.bootstrap({ label, provider in settings.makeHandler(label: label, metadataProvider: provider) }, metadataProvider: nil)
    }
}
