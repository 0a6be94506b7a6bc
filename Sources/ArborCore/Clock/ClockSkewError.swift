/// A received time too far ahead of the receiver's clock (issue 10 item 8): accepting it would
/// stamp every later local write of the entity after it, so it is refused before anything is stored.
public struct ClockSkewError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The entity (or sub-entity) whose time is too far ahead.
    public var entity: String
    /// The offending time.
    public var time: HybridTimestamp
    /// The receiver's wall clock when it checked.
    public var wallMicroseconds: Int64
    /// The allowed skew.
    public var maximumAheadMicroseconds: Int64

    public init(entity: String, time: HybridTimestamp, wallMicroseconds: Int64, maximumAheadMicroseconds: Int64) {
        self.entity = entity
        self.time = time
        self.wallMicroseconds = wallMicroseconds
        self.maximumAheadMicroseconds = maximumAheadMicroseconds
    }

    public var description: String {
        let ahead = time.microseconds.subtractingReportingOverflow(wallMicroseconds)
        let seconds = ahead.overflow ? "far" : "\(ahead.partialValue / 1_000_000) s"
        return "\(entity) carries the time \(time), \(seconds) ahead of this site's clock; at most "
            + "\(maximumAheadMicroseconds / 1_000_000) s are allowed (setting maximumClockSkewSeconds): fix the sender's clock"
    }
}

extension HybridClock {
    /// Refuses the first time in `deltas` (update, topics, field and sub-entity times) that is
    /// beyond ``ceiling(wallMicroseconds:)``.
    public func check(_ deltas: some Sequence<Delta>, wallMicroseconds: Int64) throws(ClockSkewError) {
        let ceiling = ceiling(wallMicroseconds: wallMicroseconds)
        for delta in deltas {
            for time in delta.allTimes where time > ceiling {
                throw ClockSkewError(
                    entity: "\(delta.entityClass) \(delta.techId)", time: time, wallMicroseconds: wallMicroseconds,
                    maximumAheadMicroseconds: maximumAheadMicroseconds
                )
            }
        }
    }
}

extension Delta {
    /// Every time this delta carries: its update time, its topics time, its fields' and its
    /// sub-entities' times.
    public var allTimes: [HybridTimestamp] {
        var times = [updateTime]
        if let topicsTime { times.append(topicsTime) }
        times += fields.values.map(\.time)
        for sub in subEntities {
            times += sub.fields.values.map(\.time)
            if let deletedTime = sub.deletedTime { times.append(deletedTime) }
        }
        return times
    }
}
