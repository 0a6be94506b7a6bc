/// A parsed topics slice (§2.1.1.2): a subscription over topics and time windows.
///
/// All binary operators have the same precedence and apply left to right, so the parser
/// builds `T2+T3*T4` as `(T2+T3)*T4`. `!` applies to the topic right after it.
public indirect enum TopicsSlice: Hashable, Sendable {
    /// Selects entities whose topics list contains the topic.
    case topic(String)
    /// Selects entities whose topics list does not contain the topic (`!T`).
    case not(String)
    /// Selects entities updated inside the window; only loads from the cache server look at it.
    case timeWindow(TimeWindow)
    /// `a + b`: either side.
    case or(TopicsSlice, TopicsSlice)
    /// `a * b`: both sides.
    case and(TopicsSlice, TopicsSlice)
}

/// A time condition in a slice (§2.1.2).
public enum TimeWindow: Hashable, Sendable {
    /// `TimeWindow999`: updated within the last `seconds` seconds (`now - seconds <= t <= now`).
    case relative(seconds: Int64)
    /// `TimeWindow[dd/mm/yyyy hh:mm:ss]`: updated at or after this time (UTC).
    case absolute(HybridTimestamp)
}

/// How a slice is evaluated.
public enum SliceEvaluationMode: Hashable, Sendable {
    /// A load from the cache server at time `now`: time windows apply.
    case load(now: HybridTimestamp)
    /// Steady-state distribution: time windows are disregarded (they count as satisfied).
    case steadyState
}

extension TopicsSlice {
    /// Whether the slice selects an entity with the given topics (as the reading server sees
    /// them) and update time.
    public func selects(topics: Set<String>, updateTime: HybridTimestamp, mode: SliceEvaluationMode) -> Bool {
        switch self {
        case .topic(let name):
            return topics.contains(name)
        case .not(let name):
            return !topics.contains(name)
        case .timeWindow(let window):
            guard case .load(let now) = mode else { return true }
            return window.contains(updateTime, now: now)
        case .or(let lhs, let rhs):
            return lhs.selects(topics: topics, updateTime: updateTime, mode: mode)
                || rhs.selects(topics: topics, updateTime: updateTime, mode: mode)
        case .and(let lhs, let rhs):
            return lhs.selects(topics: topics, updateTime: updateTime, mode: mode)
                && rhs.selects(topics: topics, updateTime: updateTime, mode: mode)
        }
    }

    /// Steady-state selection of a delta: `#` prefixes ignored, time windows disregarded.
    public func selectsInSteadyState(_ topics: TopicsList) -> Bool {
        selects(topics: topics.deltaServerTopics, updateTime: .zero, mode: .steadyState)
    }

    /// Selection for a cache-server load at `now`: `#` topics ignored, time windows applied.
    public func selectsForLoad(_ topics: TopicsList, updateTime: HybridTimestamp, now: HybridTimestamp) -> Bool {
        selects(topics: topics.cacheServerTopics, updateTime: updateTime, mode: .load(now: now))
    }

    /// Every topic the slice negates with `!`. Selection is the evaluator's answer; these only
    /// withhold deltas a client would get because it is registered on an entity the slice does
    /// not select (§2.1.3, DESIGN rule 1; see ``DeltaRouter``).
    public var negatedTopics: Set<String> {
        switch self {
        case .topic, .timeWindow: return []
        case .not(let name): return [name]
        case .or(let lhs, let rhs), .and(let lhs, let rhs): return lhs.negatedTopics.union(rhs.negatedTopics)
        }
    }

    /// Every topic the slice names, negated or not.
    public var mentionedTopics: Set<String> {
        switch self {
        case .topic(let name), .not(let name): return [name]
        case .timeWindow: return []
        case .or(let lhs, let rhs), .and(let lhs, let rhs): return lhs.mentionedTopics.union(rhs.mentionedTopics)
        }
    }

    /// Whether the slice contains a time window.
    public var hasTimeWindow: Bool {
        switch self {
        case .topic, .not: return false
        case .timeWindow: return true
        case .or(let lhs, let rhs), .and(let lhs, let rhs): return lhs.hasTimeWindow || rhs.hasTimeWindow
        }
    }
}

extension TimeWindow {
    /// Whether `time` falls inside the window at `now`.
    public func contains(_ time: HybridTimestamp, now: HybridTimestamp) -> Bool {
        switch self {
        case .relative(let seconds):
            return now.adding(seconds: -seconds) <= time && time <= now
        case .absolute(let start):
            return time >= start
        }
    }
}
