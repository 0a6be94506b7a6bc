import ArborCore
import Synchronization

/// The site's hybrid clock, shared by every writer of this process (DESIGN rule 7).
public final class SiteClock: Sendable {
    private let state: Mutex<HybridClock>
    private let wallClock: @Sendable () -> Int64

    /// - Parameters:
    ///   - wallClock: microseconds since 1970.
    ///   - maximumAheadMicroseconds: how far ahead of the wall clock a received time may be.
    public init(wallClock: @escaping @Sendable () -> Int64, maximumAheadMicroseconds: Int64 = HybridClock.defaultMaximumAheadMicroseconds) {
        self.wallClock = wallClock
        state = Mutex(HybridClock(maximumAheadMicroseconds: maximumAheadMicroseconds))
    }

    /// A time later than the wall clock's last reading, every earlier tick and everything in
    /// `seen` (each taken at most up to the allowed skew ahead of the wall clock).
    public func tick(after seen: some Sequence<HybridTimestamp>) -> HybridTimestamp {
        let wall = wallClock()
        return state.withLock { clock in
            for time in seen { clock.observe(time, wallMicroseconds: wall) }
            return clock.tick(wallMicroseconds: wall)
        }
    }

    /// Records times received from other sites so later ticks come after them.
    public func observe(_ times: some Sequence<HybridTimestamp>) {
        let wall = wallClock()
        state.withLock { clock in for time in times { clock.observe(time, wallMicroseconds: wall) } }
    }

    /// Refuses deltas carrying a time more than the allowed skew ahead of the wall clock now.
    public func check(_ deltas: some Sequence<Delta>) throws(ClockSkewError) {
        let wall = wallClock()
        let clock = state.withLock { $0 }
        try clock.check(deltas, wallMicroseconds: wall)
    }
}
