import ArborCore
import ArborTesting
import Foundation

/// Builders for merge tests: one `Order` entity, deltas against it, and a canonical rendering of
/// states that tells apart values `==` confuses (NaN, -0.0, differently encoded text).
enum MergeFixtures {
    static let entityClass = "Order"
    static let techId = Fixtures.id(1)
    static let son = "s1"

    static func t(_ micros: Int64) -> HybridTimestamp { Fixtures.time(micros) }

    /// Fields from `name: (value, time)` pairs.
    static func timed(_ fields: [String: (FieldValue, Int64)]) -> [String: TimedValue] {
        fields.mapValues { TimedValue($0.0, at: t($0.1)) }
    }

    static func entity(
        _ fields: [String: (FieldValue, Int64)], topics: TopicsList = Fixtures.topics("A"), topicsTime: Int64 = 1,
        inCache: Bool = true, subEntities: [SubEntityState] = []
    ) -> EntityState {
        EntityState(
            entityClass: entityClass, techId: techId, inCache: inCache, topics: topics, topicsTime: t(topicsTime),
            fields: timed(fields), subEntities: Dictionary(uniqueKeysWithValues: subEntities.map { ($0.techId, $0) })
        )
    }

    static func delta(
        _ operation: DeltaOperation, _ fields: [String: (FieldValue, Int64)] = [:], updateTime: Int64? = nil,
        topics: TopicsList = Fixtures.topics("A"), topicsTime: Int64? = nil, inCache: Bool = true,
        subEntities: [SubEntityDelta] = []
    ) -> Delta {
        let latest = ([topicsTime ?? 0] + fields.values.map(\.1) + subEntities.flatMap { $0.fields.values.map(\.time.microseconds) }).max() ?? 0
        return Delta(
            operation: operation, entityClass: entityClass, techId: techId, updateTime: t(updateTime ?? latest),
            topics: topics, topicsTime: topicsTime.map(t), inCache: inCache, fields: timed(fields), subEntities: subEntities
        )
    }

    static func line(_ n: Int, _ fields: [String: (FieldValue, Int64)] = [:], deletedAt: Int64? = nil) -> SubEntityState {
        SubEntityState(
            collection: "lines", techId: Fixtures.id(100 + n), parentId: techId, fields: deletedAt == nil ? timed(fields) : [:],
            isDeleted: deletedAt != nil, deletedTime: deletedAt.map(t)
        )
    }

    static func lineDelta(
        _ operation: SubEntityOperation, _ n: Int, _ fields: [String: (FieldValue, Int64)] = [:], deletedAt: Int64? = nil
    ) -> SubEntityDelta {
        SubEntityDelta(
            operation: operation, collection: "lines", techId: Fixtures.id(100 + n), parentId: techId, fields: timed(fields),
            deletedTime: deletedAt.map(t)
        )
    }

    /// A text rendering of a state, equal exactly when states are equal part by part in the
    /// merge's own value order (so bit-different NaNs or -0.0/+0.0 count as different).
    static func canonical(_ state: EntityState?) -> String {
        guard let state else { return "<absent>" }
        var lines = ["\(state.entityClass) \(state.techId) inCache=\(state.inCache) topics=\(state.topics)@\(state.topicsTime)"]
        lines += state.fields.keys.sorted().map { "  \($0)=\(render(state.fields[$0]))" }
        for sub in state.subEntities.values.sorted(by: { $0.techId.uuidString < $1.techId.uuidString }) {
            let head = "  \(sub.collection)[\(sub.techId)] parent=\(sub.parentId) deleted=\(sub.isDeleted)@\(sub.deletedTime.map(\.description) ?? "-")"
            lines.append(head + sub.fields.keys.sorted().map { " \($0)=\(render(sub.fields[$0]))" }.joined())
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ timed: TimedValue?) -> String {
        guard let timed else { return "-" }
        return "\(render(timed.value))@\(timed.time)"
    }

    static func render(_ value: FieldValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "bool(\(b))"
        case .int(let i): return "int(\(i))"
        case .bigint(let i): return "bigint(\(i))"
        case .double(let d): return "double(\(d) bits=\(String(d.bitPattern, radix: 16)))"
        case .timestamp(let ts): return "timestamp(\(ts))"
        case .uuid(let u): return "uuid(\(u))"
        case .text(let s): return "text(\(s.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")))"
        case .json(let s): return "json(\(s.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")))"
        case .bytes(let d): return "bytes(\(d.map { String($0, radix: 16) }.joined(separator: " ")))"
        }
    }
}
