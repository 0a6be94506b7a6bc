import ArborTesting
import Foundation
import Testing

/// `arbor@.service` runs `arbor init` in every process of a branch at once, on one new SQLite
/// file (seen in CI: the loser failed with "database is locked"). Each must succeed, and all
/// must report the one incarnation the database keeps.
@Suite(.heavy) struct ConcurrentInitTests {
    static let processes = 8
    static let rounds = 10

    @Test func initsRunningAtOnceOnANewSQLiteFileAllSucceedWithOneIncarnation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-concurrent-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 1...Self.rounds {
            let path = directory.appendingPathComponent("round-\(round).sqlite").path
            let runs = try await withThrowingTaskGroup(of: ArborCommand.Run.self) { group in
                for _ in 0..<Self.processes { group.addTask { try await ArborCommand.run(["init", "--db", "sqlite:\(path)"]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for run in runs { #expect(run.status == 0, "round \(round): \(run)") }
            let incarnations = Set(runs.compactMap { Self.incarnation(in: $0.output) })
            #expect(incarnations.count == 1, "round \(round): the inits reported \(incarnations.sorted())")
            let again = try await ArborCommand.run(["init", "--db", "sqlite:\(path)"])
            #expect(Self.incarnation(in: again.output).map { incarnations.contains($0) } == true, "round \(round): \(again)")
        }
    }

    /// The UUID after "incarnation " in `arbor init`'s line.
    static func incarnation(in output: String) -> String? {
        guard let range = output.range(of: "incarnation ") else { return nil }
        return String(output[range.upperBound...].prefix(36))
    }
}
