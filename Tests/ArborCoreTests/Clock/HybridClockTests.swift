import ArborCore
import ArborTesting
import Testing

@Suite struct HybridClockTests {
    @Test func followsTheWallClockWhenItMovesForward() {
        var clock = HybridClock()
        #expect(clock.tick(wallMicroseconds: 1_000) == Fixtures.time(1_000))
        #expect(clock.tick(wallMicroseconds: 5_000) == Fixtures.time(5_000))
    }

    @Test func neverGoesBackwardsWhenTheWallClockDoes() {
        var clock = HybridClock()
        let first = clock.tick(wallMicroseconds: 10_000)
        let second = clock.tick(wallMicroseconds: 9_000)
        let third = clock.tick(wallMicroseconds: 10_000)
        #expect(first < second && second < third)
    }

    @Test func twoTicksInTheSameMicrosecondDiffer() {
        var clock = HybridClock()
        #expect(clock.tick(wallMicroseconds: 42) != clock.tick(wallMicroseconds: 42))
    }

    @Test func isBumpedPastTimesReceivedFromFasterSites() {
        var clock = HybridClock()
        _ = clock.tick(wallMicroseconds: 1_000)
        clock.observe(Fixtures.time(50_000))
        #expect(clock.tick(wallMicroseconds: 2_000) == Fixtures.time(50_001))
    }

    @Test func ignoresOlderReceivedTimes() {
        var clock = HybridClock(last: Fixtures.time(7_000))
        clock.observe(Fixtures.time(3_000))
        #expect(clock.last == Fixtures.time(7_000))
    }

    @Test func strictlyIncreasesOverRandomWallClocks() {
        var generator = SeededGenerator(seed: 7)
        var clock = HybridClock()
        var previous = HybridTimestamp.zero
        for step in 0..<500 {
            if Bool.random(using: &generator) { clock.observe(Fixtures.time(Int64.random(in: 0...2_000_000, using: &generator))) }
            let next = clock.tick(wallMicroseconds: Int64.random(in: 0...1_000_000, using: &generator))
            #expect(next > previous, "step \(step)")
            previous = next
        }
    }

    @Test func addingSecondsSaturatesInsteadOfOverflowing() {
        #expect(Fixtures.time(5_000_000).adding(seconds: -2) == Fixtures.time(3_000_000))
        #expect(Fixtures.time(.max - 1).adding(seconds: 10) == Fixtures.time(.max))
        #expect(Fixtures.time(.min + 1).adding(seconds: .min) == Fixtures.time(.min))
    }
}
