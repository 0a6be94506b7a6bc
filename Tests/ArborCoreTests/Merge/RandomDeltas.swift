import ArborCore
import ArborTesting
import Foundation

/// Random entities and deltas over a few fields, topics and sub-entities, with times drawn from
/// narrow ranges so that equal-time ties are common.
struct RandomDeltas {
    var g: SeededGenerator
    static let fieldNames = ["status", "priority", "number", "deleted", "extra"]
    static let subFieldNames = ["sku", "quantity"]
    static let topicPool = ["A", "B", "C"]
    static let sources: [DeltaSource] = [.local, .father, .son(clientId: "x"), .son(clientId: "y")]

    init(seed: UInt64) { g = SeededGenerator(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &g) < p }
    mutating func time(_ range: ClosedRange<Int64>) -> HybridTimestamp { HybridTimestamp(microseconds: .random(in: range, using: &g)) }
    mutating func source() -> DeltaSource { Self.sources.randomElement(using: &g) ?? .father }

    mutating func fields(_ names: [String], p: Double, times: ClosedRange<Int64>) -> [String: TimedValue] {
        var result: [String: TimedValue] = [:]
        for name in names where chance(p) {
            result[name] = TimedValue(name == "deleted" ? .bool(chance(0.5)) : RandomValues.value(&g), at: time(times))
        }
        return result
    }

    /// Application topics from a small pool, sometimes led by the father site topic.
    mutating func topics() -> TopicsList {
        let chosen = Self.topicPool.filter { _ in chance(0.5) }
        return (try? TopicsList(chance(0.3) ? [SiteTopics.father] + chosen : chosen)) ?? .empty
    }

    /// A common starting entity: fields and topics written at times 1...5, some lines deleted.
    mutating func initialEntity() -> EntityState {
        var subs: [UUID: SubEntityState] = [:]
        for n in 1...4 where chance(0.6) {
            let id = Fixtures.id(100 + n)
            subs[id] = chance(0.3)
                ? SubEntityState(collection: "lines", techId: id, parentId: MergeFixtures.techId, fields: [:], isDeleted: true, deletedTime: time(1...5))
                : SubEntityState(collection: "lines", techId: id, parentId: MergeFixtures.techId, fields: fields(Self.subFieldNames, p: 0.8, times: 1...5))
        }
        return EntityState(
            entityClass: MergeFixtures.entityClass, techId: MergeFixtures.techId, topics: topics().applicationTopics,
            topicsTime: time(1...5), fields: fields(Self.fieldNames, p: 0.8, times: 1...5), subEntities: subs
        )
    }

    /// A PARTIAL, FULL or UPDATE (or `operations`) with parts written at times in `times`;
    /// each line is touched at most once, as in one transaction's delta.
    mutating func delta(times: ClosedRange<Int64>, operations: [DeltaOperation] = [.partial, .full, .update]) -> Delta {
        let operation = operations.randomElement(using: &g) ?? .partial
        let entityFields = fields(Self.fieldNames, p: 0.4, times: times)
        let topicsTime: HybridTimestamp? = chance(0.4) ? time(times) : nil
        var subs: [SubEntityDelta] = []
        for n in 1...4 where chance(0.35) {
            let op = [SubEntityOperation.create, .update, .delete].randomElement(using: &g) ?? .update
            subs.append(SubEntityDelta(
                operation: op, collection: "lines", techId: Fixtures.id(100 + n), parentId: MergeFixtures.techId,
                fields: op == .delete ? [:] : fields(Self.subFieldNames, p: 0.6, times: times)
            ))
        }
        let partTimes = entityFields.values.map(\.time) + subs.flatMap { $0.fields.values.map(\.time) } + [topicsTime ?? .zero]
        let updateTime = max(partTimes.max() ?? .zero, time(times))
        return Delta(
            operation: operation, entityClass: MergeFixtures.entityClass, techId: MergeFixtures.techId, updateTime: updateTime,
            topics: topics(), topicsTime: topicsTime, fields: entityFields, subEntities: subs
        )
    }

    /// An application's write at one site: every part written at the site's new clock time `tick`.
    mutating func localWrite(at tick: Int64) -> Delta {
        delta(times: tick...tick, operations: [.update, .partial])
    }
}
