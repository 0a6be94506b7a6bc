import ArborTesting
import Foundation
import Testing

/// `arbor serve` and `arbor init` read `--config` by the types of its settings, with the real
/// executable: a wrong JSON type is refused before the database is touched, and a list element
/// stays one element.
@Suite(.heavy) struct ConfigurationFileCommandTests {
    private static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func serveAndInitRefuseANumberGivenAsAString() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let databaseFile = directory.appendingPathComponent("site.sqlite").path
        let file = directory.appendingPathComponent("site.json")
        try Data(#"{"database": "sqlite:\#(databaseFile)", "plainHTTP": true, "port": "8080"}"#.utf8).write(to: file)
        for command in ["init", "serve"] {
            let run = try await ArborCommand.run([command, "--config", file.path], terminateAfter: .seconds(60))
            #expect(run.status == 64, "\(command): \(run)")
            #expect(run.errors.contains(#"site.json: 'port' must be a whole number (a JSON number, without quotes), e.g. 8080; got "8080""#), "\(command): \(run)")
        }
        #expect(!FileManager.default.fileExists(atPath: databaseFile), "refused before the database was created")
    }

    @Test func aFixedTopicContainingACommaIsRefusedAsOneTopic() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("branch.json")
        let database = "sqlite:" + directory.appendingPathComponent("branch.sqlite").path
        try Data(
            #"""
            {"database": "\#(database)", "plainHTTP": true, "site": "branch", "fatherServers": ["http://127.0.0.1:9"],
             "fatherClientId": "branch", "selectiveDistribution": true, "fixedTopics": ["a,b"]}
            """#.utf8
        ).write(to: file)
        let run = try await ArborCommand.run(["serve", "--config", file.path], terminateAfter: .seconds(60))
        #expect(run.status == 64, "\(run)")
        #expect(run.errors.contains("fixedTopics: 'a,b' is not a topic"), "\(run)")
    }
}
