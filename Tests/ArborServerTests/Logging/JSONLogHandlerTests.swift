@testable import ArborServer
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 13 item 3: `--log-format json` writes one JSON object per line.
@Suite struct JSONLogHandlerTests {
    /// The lines written, in order.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A logger writing into the returned box, at `level`, dated 2026-12-02T06:34:26.5Z.
    private func makeLogger(level: Logger.Level = .info) -> (Logger, Lines) {
        let lines = Lines()
        let handler = JSONLogHandler(
            label: "arbor.center", write: { line in lines.append(line) },
            now: { Date(timeIntervalSince1970: 1_796_193_266.5) }
        )
        var logger = Logger(label: "arbor.center", factory: { _ in handler })
        logger.logLevel = level
        return (logger, lines)
    }

    private func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func eachEntryIsOneLineOfOneObject() throws {
        let (logger, captured) = makeLogger()
        var tagged = logger
        tagged[metadataKey: "site"] = "center"
        tagged.notice("serving site 'center'", metadata: ["port": "8080", "servers": .array(["delta", "cache"])])
        let lines = captured.all
        try #require(lines.count == 1)
        #expect(lines[0].hasSuffix("}\n"))
        #expect(lines[0].dropLast().contains("\n") == false)
        let entry = try object(lines[0])
        #expect(entry["timestamp"] as? String == "2026-12-02T06:34:26.500Z")
        #expect(entry["level"] as? String == "notice")
        #expect(entry["label"] as? String == "arbor.center")
        #expect(entry["message"] as? String == "serving site 'center'")
        let metadata = try #require(entry["metadata"] as? [String: String], "every metadata value is a string")
        #expect(metadata == ["site": "center", "port": "8080", "servers": "[\"delta\", \"cache\"]"])
        #expect(lines[0].hasPrefix("{\"timestamp\":"), "the timestamp comes first, for people reading the file")
    }

    @Test func quotesNewlinesAndControlCharactersStayInsideTheLine() throws {
        let (logger, captured) = makeLogger()
        logger.warning("a \"quoted\" \\ line\nand another\t\u{1}end")
        let lines = captured.all
        try #require(lines.count == 1)
        #expect(lines[0].filter { $0 == "\n" }.count == 1)
        #expect(try object(lines[0])["message"] as? String == "a \"quoted\" \\ line\nand another\t\u{1}end")
        #expect(try object(lines[0])["metadata"] == nil, "no metadata, no field")
    }

    @Test func entriesBelowTheLevelAreNotWritten() throws {
        let (logger, captured) = makeLogger(level: .notice)
        logger.info("not written")
        logger.debug("not written")
        logger.error("written")
        let lines = captured.all
        #expect(lines.count == 1)
        #expect(try object(lines[0])["level"] as? String == "error")
    }
}
