import ArborCore
import Synchronization

/// The site's hybrid clock, shared by every writer of this process (DESIGN rule 7).
public final class SiteClock: Sendable {
    private let state = Mutex(HybridClock())
    private let wallClock: @Sendable () -> Int64

    /// - Parameter wallClock: microseconds since 1970.
    public init(wallClock: @escaping @Sendable () -> Int64) {
        self.wallClock = wallClock
    }

    /// A time later than the wall clock's last reading, every earlier tick and everything in `seen`.
    public func tick(after seen: some Sequence<HybridTimestamp>) -> HybridTimestamp {
        state.withLock { clock in
            for time in seen { clock.observe(time) }
            return clock.tick(wallMicroseconds: wallClock())
        }
    }

    /// Records times received from other sites so later ticks come after them.
    public func observe(_ times: some Sequence<HybridTimestamp>) {
        state.withLock { clock in for time in times { clock.observe(time) } }
    }
}
