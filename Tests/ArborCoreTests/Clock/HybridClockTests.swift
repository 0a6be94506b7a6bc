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
        clock.observe(Fixtures.time(50_000), wallMicroseconds: 1_000)
        #expect(clock.tick(wallMicroseconds: 2_000) == Fixtures.time(50_001))
    }

    @Test func ignoresOlderReceivedTimes() {
        var clock = HybridClock(last: Fixtures.time(7_000))
        clock.observe(Fixtures.time(3_000), wallMicroseconds: 7_000)
        #expect(clock.last == Fixtures.time(7_000))
    }

    @Test func strictlyIncreasesOverRandomWallClocks() {
        var generator = SeededGenerator(seed: 7)
        var clock = HybridClock()
        var previous = HybridTimestamp.zero
        for step in 0..<500 {
            if Bool.random(using: &generator) { clock.observe(Fixtures.time(Int64.random(in: 0...2_000_000, using: &generator)), wallMicroseconds: 1_000_000) }
            let next = clock.tick(wallMicroseconds: Int64.random(in: 0...1_000_000, using: &generator))
            #expect(next > previous, "step \(step)")
            previous = next
        }
    }

    // Issue 10 item 8: one far-future time must not freeze the clock at the end of its range.
    @Test func aFarFutureTimeMovesTheClockOnlyUpToTheAllowedSkew() {
        var clock = HybridClock(maximumAheadMicroseconds: 60_000_000)
        clock.observe(Fixtures.time(.max - 1), wallMicroseconds: 1_000_000)
        #expect(clock.last == Fixtures.time(61_000_000))
        #expect(clock.tick(wallMicroseconds: 2_000_000) == Fixtures.time(61_000_001))
        // Once the wall clock passes the bound, ticks follow it again.
        #expect(clock.tick(wallMicroseconds: 90_000_000) == Fixtures.time(90_000_000))
    }

    @Test func neverWrapsAtTheEndOfTheRange() {
        var clock = HybridClock(last: Fixtures.time(.max))
        let next = clock.tick(wallMicroseconds: 5_000)
        #expect(next == Fixtures.time(5_000), "no wrap to Int64.min, no stuck maximum")
        #expect(clock.tick(wallMicroseconds: 5_000) == Fixtures.time(5_001))
        var near = HybridClock(last: Fixtures.time(.max - 1))
        #expect(near.tick(wallMicroseconds: 0) == Fixtures.time(.max))
    }

    @Test func ticksKeepIncreasingAfterManyFarFutureObservations() {
        var clock = HybridClock(maximumAheadMicroseconds: 1_000)
        var previous = HybridTimestamp.zero
        for step in Int64(0)..<10_000 {
            clock.observe(Fixtures.time(.max - step), wallMicroseconds: 1_000_000 + step)
            let next = clock.tick(wallMicroseconds: 1_000_000 + step)
            #expect(next > previous && next.microseconds <= 1_001_001 + step + 1, "step \(step)")
            previous = next
        }
    }

    @Test func checkRefusesADeltaWithAnyTimeBeyondTheSkew() throws {
        let clock = HybridClock(maximumAheadMicroseconds: 60_000_000)
        let wall: Int64 = 1_000_000_000
        let fine = Delta(operation: .update, entityClass: "Customer", techId: Fixtures.id(1), updateTime: Fixtures.time(wall + 60_000_000), topics: .empty)
        try clock.check([fine], wallMicroseconds: wall)
        var farField = fine
        farField.fields["name"] = TimedValue(.text("x"), at: Fixtures.time(.max))
        #expect(throws: ClockSkewError.self) { try clock.check([fine, farField], wallMicroseconds: wall) }
        var farUpdate = fine
        farUpdate.updateTime = Fixtures.time(wall + 60_000_001)
        do {
            try clock.check([farUpdate], wallMicroseconds: wall)
            Issue.record("a time 1 µs beyond the skew was admitted")
        } catch {
            #expect(error.description.contains("maximumClockSkewSeconds"))
        }
    }

    @Test func addingSecondsSaturatesInsteadOfOverflowing() {
        #expect(Fixtures.time(5_000_000).adding(seconds: -2) == Fixtures.time(3_000_000))
        #expect(Fixtures.time(.max - 1).adding(seconds: 10) == Fixtures.time(.max))
        #expect(Fixtures.time(.min + 1).adding(seconds: .min) == Fixtures.time(.min))
    }
}
