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
    static var operations: Int { ProcessInfo.processInfo.environment["ARBOR_NEMESIS_OPERATIONS"].flatMap { Int($0) } ?? 250 }
    /// The seed CI replays by default: it diverged in CI before the deferred drop
    /// (Docs/reliability.md) and converges since. `ARBOR_NEMESIS_SEED=random` explores; random
    /// short runs still diverge about 1 in 8 (the known gaps there).
    static let regressionSeed: UInt64 = 2052594882
    static var seed: UInt64 {
        switch ProcessInfo.processInfo.environment["ARBOR_NEMESIS_SEED"] {
        case nil, "": return regressionSeed
        case "random": return UInt64.random(in: 1...UInt64(UInt32.max))
        case let text?: return UInt64(text) ?? regressionSeed
        }
    }

    @Test(.timeLimit(.minutes(30)))
    func everySiteConvergesAndNothingAcknowledgedIsLost() async throws {
        let tree = NemesisTree(topology: .standard)
        let run = NemesisRun(tree: tree, seed: Self.seed)
        let follower = NemesisFollower()
        do {
            try await tree.start()
            follower.start(servers: tree.sites[1].urls, clientId: "follower", slice: "east+shared")
            let started = ContinuousClock.now
            try await run.run(operations: Self.operations)
            let ran = ContinuousClock.now - started
            let (divergences, took) = await run.awaitConvergence(timeout: .seconds(120))
            await follower.stop()
            let followed = follower.summary
            print("nemesis seed \(run.seed): \(Self.operations) operations in \(ran), converged in \(took); \(run.counts.sorted { $0.key < $1.key }); follower: \(followed.buffers) buffers, \(followed.loads) loads, \(followed.duplicates.count) duplicates; divergences \(divergences.count)")
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
