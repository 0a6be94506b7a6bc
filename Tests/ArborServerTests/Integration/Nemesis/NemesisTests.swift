import ArborCore
import ArborTesting
import Foundation
import Testing

/// Issue 10's proof: a seeded nemesis drives real `arbor serve` processes — a center (PostgreSQL
/// when configured), branches east (two processes) and west, and a leaf under east — with random
/// creates, field updates, topic moves and logical deletes at every process, SIGKILLs (of the
/// east master too, so the role fails over), and partitions through relays the harness owns.
/// After repairing every fault it checks the oracle: every site holds exactly what its path of
/// slices selects of the center (registered leftovers equal to the center's copy), every
/// acknowledged write is at the center as last-writer-wins requires, and an edge following
/// east never gets a buffer twice.
///
/// Short by default (CI, a fixed regression seed); `ARBOR_NEMESIS_OPERATIONS` sets the length and
/// `ARBOR_NEMESIS_SEED` replays a run, or explores with `random` (Docs/reliability.md).
@Suite(.serialized, .heavy) struct NemesisTests {
    static var operations: Int {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["ARBOR_NEMESIS_OPERATIONS"], !text.isEmpty else { return 250 }
            guard let count = Int(text), count > 0 else { throw NemesisSetting(message: "ARBOR_NEMESIS_OPERATIONS must be a positive number (got '\(text)')") }
            return count
        }
    }
    /// The seed CI replays by default: it diverged in CI before the deferred drop
    /// (Docs/reliability.md) and converges since. `ARBOR_NEMESIS_SEED=random` explores; random
    /// short runs are in Docs/reliability.md.
    static let regressionSeed: UInt64 = 2052594882
    static var seed: UInt64 {
        get throws {
            switch ProcessInfo.processInfo.environment["ARBOR_NEMESIS_SEED"] {
            case nil, "": return regressionSeed
            case "random": return UInt64.random(in: 1...UInt64(UInt32.max))
            case let text?:
                guard let seed = UInt64(text) else { throw NemesisSetting(message: "ARBOR_NEMESIS_SEED must be a number or 'random' (got '\(text)')") }
                return seed
            }
        }
    }

    /// A nemesis setting from the environment that does not parse: refused, not replaced.
    struct NemesisSetting: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Whether `ARBOR_NEMESIS_OPERATIONS` asks for a long run (over 5,000 operations), which
    /// gets its own test with a hang guard long enough for it; the short one keeps 30 minutes.
    static var isLongRun: Bool { ((try? operations) ?? 0) > 5_000 }

    @Test(.timeLimit(.minutes(30)), .enabled(if: !isLongRun))
    func everySiteConvergesAndNothingAcknowledgedIsLost() async throws {
        try await runAndCheck()
    }

    @Test("long mode: ARBOR_NEMESIS_OPERATIONS above 5,000 (Docs/reliability.md)", .timeLimit(.minutes(600)), .enabled(if: isLongRun))
    func aLongRunConvergesToo() async throws {
        try await runAndCheck()
    }

    /// Operations between two oracle checks of a long run: each segment ends with every fault
    /// repaired and the tree converged, so a run stopped early still has checked figures.
    static let longRunCheckpoint = 10_000

    private func runAndCheck() async throws {
        let tree = NemesisTree(topology: .standard)
        let run = NemesisRun(tree: tree, seed: try Self.seed)
        let operations = try Self.operations
        let follower = NemesisFollower()
        do {
            try await tree.start()
            follower.start(servers: tree.sites[1].urls, clientId: "follower", slice: "east+shared")
            var done = 0, ran = Duration.zero
            var divergences: [NemesisDivergence] = []
            while done < operations, divergences.isEmpty {
                let segment = min(Self.isLongRun ? Self.longRunCheckpoint : operations, operations - done)
                let started = ContinuousClock.now
                try await run.run(operations: segment)
                ran += ContinuousClock.now - started
                done += segment
                let (found, took) = await run.awaitConvergence(timeout: .seconds(120))
                divergences = found
                print("nemesis seed \(run.seed): \(done) of \(operations) operations in \(ran), converged in \(took); \(run.counts.sorted { $0.key < $1.key }); divergences \(divergences.count)")
            }
            await follower.stop()
            let followed = follower.summary
            print("nemesis seed \(run.seed): \(done) operations in \(ran); follower: \(followed.buffers) buffers, \(followed.loads) loads, \(followed.duplicates.count) duplicates; divergences \(divergences.count)")
            #expect(divergences.isEmpty, "\(run.report(divergences))")
            #expect(followed.duplicates.isEmpty, "seed \(run.seed): east delivered buffers \(followed.duplicates.prefix(20)) twice to an edge that had acknowledged them")
            if divergences.isEmpty && followed.duplicates.isEmpty { tree.removeLogs() } else if !followed.duplicates.isEmpty, divergences.isEmpty {
                print(run.report([]))
            }
        } catch {
            await follower.stop()
            Issue.record("seed \(run.seed): \(error)\n\(run.report([]))")
        }
        await tree.remove()
    }
}
