import ArborCore
import ArborStore
import ArborTesting
import Foundation

/// A schema with a field of every type, and builders of entities and deltas for it.
enum PostgresSamples {
    /// `probe-v1`: class `Sample` with one nullable field per type, a required `name`, and
    /// nested collections `parts` and `parts.marks`; class `Plain` kept out of cache.
    static let schema: DistributionSchema = {
        do {
            return try DistributionSchema(name: "probe-v1", classes: [
                EntityClass(
                    name: "Sample",
                    fields: [FieldDefinition(name: "name", type: .text)]
                        + FieldType.allCases.map { FieldDefinition(name: "v_\($0.rawValue)", type: $0, nullable: true) },
                    collections: [
                        SubEntityCollection(
                            name: "parts",
                            fields: [FieldDefinition(name: "label", type: .text), FieldDefinition(name: "weight", type: .double, nullable: true)],
                            collections: [SubEntityCollection(name: "marks", fields: [FieldDefinition(name: "code", type: .int)])]
                        )
                    ]
                ),
                EntityClass(name: "Plain", fields: [FieldDefinition(name: "count", type: .bigint)]),
            ])
        } catch {
            fatalError("invalid test schema: \(error)")
        }
    }()

    /// A `Sample` entity with `name` and `fields` written at `time`.
    static func sample(
        _ techId: UUID, name: String = "n", fields: [String: FieldValue] = [:], time: Int64 = 1_000,
        inCache: Bool = true, topics: TopicsList = Fixtures.topics("A")
    ) -> EntityState {
        var timed = [
            "name": TimedValue(.text(name), at: Fixtures.time(time)),
            "deleted": TimedValue(.bool(false), at: Fixtures.time(time)),
        ]
        for (field, value) in fields { timed[field] = TimedValue(value, at: Fixtures.time(time)) }
        return EntityState(entityClass: "Sample", techId: techId, inCache: inCache, topics: topics, topicsTime: Fixtures.time(time), fields: timed)
    }

    /// A CREATE delta carrying all of `state`'s fields.
    static func create(_ state: EntityState) -> Delta {
        Delta(
            operation: .create, entityClass: state.entityClass, techId: state.techId, updateTime: state.updateTime,
            topics: state.topics, topicsTime: state.topicsTime, inCache: state.inCache, fields: state.fields
        )
    }

    /// A plan that upserts `states` and logs a CREATE for each.
    static func creating(_ states: [EntityState]) -> TransactionPlan<Void> {
        TransactionPlan(upserts: states, deltas: states.map(create), result: ())
    }

    /// `state` with every double replaced by a text naming its bits (NaN canonical), so that
    /// `==` tells -0.0 from 0.0 and NaN equals NaN.
    static func comparable(_ state: EntityState) -> EntityState {
        var copy = state
        copy.fields = state.fields.mapValues(comparable)
        copy.subEntities = state.subEntities.mapValues { sub in
            var sub = sub
            sub.fields = sub.fields.mapValues(comparable)
            return sub
        }
        return copy
    }

    private static func comparable(_ timed: TimedValue) -> TimedValue {
        guard case .double(let number) = timed.value else { return timed }
        return TimedValue(.text(number.isNaN ? "double NaN" : "double \(number.bitPattern)"), at: timed.time)
    }
}
