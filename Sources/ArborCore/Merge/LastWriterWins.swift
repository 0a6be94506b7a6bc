import Foundation

/// How one part of an incoming delta (a field, the topics, a sub-entity) fares against the
/// local entity.
enum PartDecision: Hashable, Sendable {
    /// The incoming write wins and replaces the local one.
    case accept
    /// The local write wins; the sender must learn it.
    case reject
    /// The site already has exactly this write: neither accepted nor rejected.
    case alreadyHave
}

/// Per-part last-writer-wins (DESIGN rule 6, refined): the later time wins; on equal times the
/// greater value in the deterministic order wins, so every site picks the same winner.
enum LastWriterWins {
    /// Decides an incoming write against the local one (`nil`: the site never had the part).
    static func decide(
        incomingTime: HybridTimestamp, localTime: HybridTimestamp?, valueOrder: () -> ComparisonResult
    ) -> PartDecision {
        guard let localTime else { return .accept }
        if incomingTime != localTime { return incomingTime > localTime ? .accept : .reject }
        switch valueOrder() {
        case .orderedDescending: return .accept
        case .orderedAscending: return .reject
        case .orderedSame: return .alreadyHave
        }
    }

    /// Decides an incoming field write against the local one.
    static func decide(_ incoming: TimedValue, against local: TimedValue?) -> PartDecision {
        decide(incomingTime: incoming.time, localTime: local?.time) {
            incoming.value.totalOrder(local?.value ?? .null)
        }
    }

    /// Merges `incoming` fields into `fields`, recording each part as `prefix + name`;
    /// returns the accepted writes, for the PARTIAL.
    static func mergeFields(
        _ incoming: [String: TimedValue], into fields: inout [String: TimedValue], prefix: String,
        tally: inout MergeTally
    ) -> [String: TimedValue] {
        var accepted: [String: TimedValue] = [:]
        for name in incoming.keys.sorted() {
            guard let write = incoming[name] else { continue }
            let decision = decide(write, against: fields[name])
            tally.record(decision, part: prefix + name)
            if decision == .accept {
                fields[name] = write
                accepted[name] = write
            }
        }
        return accepted
    }
}
