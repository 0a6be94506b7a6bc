import ArborServer
import Logging
import Testing

/// Issue 13 item 3: `--log-level`/`ARBOR_LOG_LEVEL` and `--log-format`/`ARBOR_LOG_FORMAT`.
@Suite struct LogSettingsTests {
    @Test func everyLevelIsAcceptedFromTheFlagAndTheEnvironment() throws {
        for level in Logger.Level.allCases {
            #expect(try LogSettings.resolve(level: level.rawValue, format: nil, environment: [:]).level == level)
            #expect(try LogSettings.resolve(level: nil, format: nil, environment: ["ARBOR_LOG_LEVEL": level.rawValue]).level == level)
        }
        #expect(try LogSettings.resolve(level: "DEBUG", format: nil, environment: [:]).level == .debug)
    }

    @Test func defaultsAreInfoAndText() throws {
        #expect(try LogSettings.resolve(level: nil, format: nil, environment: [:]) == LogSettings(level: .info, format: .text))
    }

    @Test func theFlagWinsOverTheEnvironment() throws {
        let environment = ["ARBOR_LOG_LEVEL": "verbose", "ARBOR_LOG_FORMAT": "xml"]
        #expect(try LogSettings.resolve(level: "error", format: "json", environment: environment) == LogSettings(level: .error, format: .json))
    }

    @Test func anUnknownLevelIsRefusedNamingTheSourceAndTheValidLevels() {
        #expect(throws: ServeConfigurationError(
            "ARBOR_LOG_LEVEL 'verbose' is not a log level: use one of trace, debug, info, notice, warning, error, critical"
        )) {
            try LogSettings.resolve(level: nil, format: nil, environment: ["ARBOR_LOG_LEVEL": "verbose"])
        }
        #expect(throws: ServeConfigurationError(
            "--log-level 'warn' is not a log level: use one of trace, debug, info, notice, warning, error, critical"
        )) {
            try LogSettings.resolve(level: "warn", format: nil, environment: [:])
        }
    }

    @Test func anUnknownFormatIsRefused() {
        #expect(throws: ServeConfigurationError("ARBOR_LOG_FORMAT 'xml' is not a log format: use one of text, json")) {
            try LogSettings.resolve(level: nil, format: nil, environment: ["ARBOR_LOG_FORMAT": "xml"])
        }
        #expect(throws: ServeConfigurationError("--log-format 'logfmt' is not a log format: use one of text, json")) {
            try LogSettings.resolve(level: nil, format: "logfmt", environment: [:])
        }
    }
}
