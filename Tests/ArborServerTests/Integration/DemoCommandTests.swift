import ArborTesting
import Testing

/// README's first command ends with `arbor demo`: it must run and pass on a fresh machine.
@Suite(.heavy) struct DemoCommandTests {
    @Test(.heavy(timeLimit: .seconds(60)))
    func demoReplicatesThroughThreeLevels() async throws {
        let run = try await ArborCommand.run(["demo"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("demo passed"), "\(run)")
        #expect(run.output.contains("Ada at leaf: email ada@hq.example, credit limit 500.0"), "\(run)")
    }
}
