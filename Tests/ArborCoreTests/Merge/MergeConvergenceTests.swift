import ArborCore
import ArborTesting
import Foundation
import Testing

/// Seeded properties: every site ends with the same entity whatever order deltas arrive in.
@Suite("Merge convergence properties")
struct MergeConvergenceTests {
    /// Applies `deltas` in order, each from the source `sourceFor` picks.
    private func applyAll(_ deltas: [Delta], to start: EntityState, sourceFor: (inout RandomDeltas) -> DeltaSource, random: inout RandomDeltas) -> EntityState? {
        var state: EntityState? = start
        for delta in deltas {
            state = EntityMerge.apply(delta, to: state, from: sourceFor(&random)).state
        }
        return state
    }

    @Test("the same deltas in two different orders give the same entity")
    func orderIndependence() {
        for seed in UInt64(0)..<250 {
            var random = RandomDeltas(seed: seed)
            let initial = random.initialEntity()
            let deltas = (0..<Int.random(in: 2...7, using: &random.g)).map { _ in random.delta(times: 3...8) }
            let first = deltas.shuffled(using: &random.g)
            let second = deltas.shuffled(using: &random.g)
            let siteA = applyAll(first, to: initial, sourceFor: { _ in .father }, random: &random)
            let siteB = applyAll(second, to: initial, sourceFor: { $0.source() }, random: &random)
            #expect(MergeFixtures.canonical(siteA) == MergeFixtures.canonical(siteB), "seed \(seed): \(deltas)")
        }
    }

    @Test("applying a delta a second time changes nothing and accepts nothing")
    func idempotence() throws {
        for seed in UInt64(1000)..<1250 {
            var random = RandomDeltas(seed: seed)
            let absent = random.chance(0.2)
            let local: EntityState? = absent ? nil : random.initialEntity()
            let delta = random.delta(times: 3...8, operations: absent ? [.create, .full] : [.partial, .full, .update, .create])
            let source = random.source()
            let first = EntityMerge.apply(delta, to: local, from: source)
            let second = EntityMerge.apply(delta, to: first.state, from: source)
            let context = "seed \(seed): \(delta) first \(first.outcome) \(first.rejectedParts)"
            #expect(MergeFixtures.canonical(second.state) == MergeFixtures.canonical(first.state), "\(context)")
            #expect(second.acceptedParts.isEmpty, "\(context)")
            #expect(second.outcome == (first.rejectedParts.isEmpty ? .unchanged : .rejected), "\(context)")
            if second.outcome == .unchanged { #expect(second.deltas.isEmpty, "\(context)") }
        }
    }

    @Test("father A and son B exchange PARTIALs (and A's FULLs) and end equal")
    func twoSiteExchange() throws {
        for seed in UInt64(2000)..<2200 {
            var random = RandomDeltas(seed: seed)
            let initial = random.initialEntity()
            var (siteA, siteB): (EntityState?, EntityState?) = (initial, initial)
            var (emittedA, emittedB): ([Delta], [Delta]) = ([], [])
            // Both clocks start past every initial time and advance by 1 or 2, so A and B often tie.
            var (tickA, tickB): (Int64, Int64) = (10, 10)
            for _ in 0..<Int.random(in: 1...4, using: &random.g) {
                tickA += Int64.random(in: 1...2, using: &random.g)
                let result = EntityMerge.apply(random.localWrite(at: tickA), to: siteA, from: .local)
                (siteA, emittedA) = (result.state, emittedA + result.deltas)
            }
            for _ in 0..<Int.random(in: 1...4, using: &random.g) {
                tickB += Int64.random(in: 1...2, using: &random.g)
                let result = EntityMerge.apply(random.localWrite(at: tickB), to: siteB, from: .local)
                (siteB, emittedB) = (result.state, emittedB + result.deltas)
            }
            for partial in emittedB where partial.operation == .partial {
                #expect(partial.topics.contains(SiteTopics.father), "seed \(seed)")
                let result = EntityMerge.apply(partial, to: siteA, from: .son(clientId: "B"))
                (siteA, emittedA) = (result.state, emittedA + result.deltas)
            }
            for partial in emittedA where partial.operation == .partial && partial.topics.contains(SiteTopics.father) {
                siteB = EntityMerge.apply(partial, to: siteB, from: .father).state
            }
            for full in emittedA where full.operation == .full {
                siteB = EntityMerge.apply(full, to: siteB, from: .father).state
            }
            #expect(MergeFixtures.canonical(siteA) == MergeFixtures.canonical(siteB), "seed \(seed)")
        }
    }
}
