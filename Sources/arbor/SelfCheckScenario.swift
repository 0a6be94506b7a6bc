import ArborCore
import Foundation

/// The checks `arbor self-check` runs: a small replication story told with the core rules.
struct SelfCheckScenario {
    let schema: DistributionSchema
    let now: Int64

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func checkSchema() throws -> String {
        let fields = schema.classes.reduce(0) { $0 + $1.fields.count }
        return "'\(schema.name)': \(schema.classes.count) classes, \(fields) fields"
    }

    /// The guide's example: T1 absent, T2 or T3 present, and T4 or T5 present (left to right).
    func checkSlices() throws -> String {
        let slice = try TopicsSlice(parsing: "(T2+T3*(T4+T5))*!T1")
        let expectations: [(String, Bool)] = [
            (",T2,T4,", true), (",T3,T5,", true), (",T2,", false), (",T3,T4,T1,", false),
        ]
        for (topics, expected) in expectations where slice.selectsInSteadyState(try TopicsList(parsing: topics)) != expected {
            throw Failure(description: "slice \(slice) on \(topics) should be \(expected)")
        }
        return "\(slice.formatted) selects as the guide says"
    }

    /// A create of the first class with every declared field set, at this site.
    func sampleCreate() throws -> Delta {
        let entityClass = schema.classes[0]
        let time = HybridTimestamp(microseconds: now)
        var fields = [FieldDefinition.deleted.name: TimedValue(.bool(false), at: time)]
        for field in entityClass.fields { fields[field.name] = TimedValue(Self.sample(field.type), at: time) }
        return Delta(
            operation: .create, entityClass: entityClass.name, techId: UUID(), updateTime: time,
            topics: try TopicsList(parsing: ",T2,"), topicsTime: time, fields: fields
        )
    }

    func checkCodec() throws -> String {
        let buffer = DeltaBuffer(schemaName: schema.name, originSite: "center", sequence: 1, deltas: [try sampleCreate()])
        let bytes = try DeltaBufferCodec.encode(buffer, schema: schema)
        let decoded = try DeltaBufferCodec.decode(bytes, schema: schema)
        guard decoded == buffer else { throw Failure(description: "decoded buffer differs from the encoded one") }
        return "\(bytes.count) bytes round-trip"
    }

    func checkMergeAndRouting() throws -> String {
        let create = try sampleCreate()
        let atCenter = EntityMerge.apply(create, to: nil, from: .son(clientId: "branch1"))
        guard atCenter.outcome == .created, let state = atCenter.state else {
            throw Failure(description: "a son's create was not stored (\(atCenter.outcome))")
        }
        let emitted = atCenter.deltas.map(\.operation)
        guard emitted == [.register, .create] else { throw Failure(description: "a son's create emitted \(emitted)") }
        let son = RoutingClient.registered(
            ClientBit(0)!, slice: try TopicsSlice(parsing: "T2*!arbor.notson.branch1"), namingTopic: SiteTopics.naming(son: "branch1"))
        let other = RoutingClient.registered(ClientBit(1)!, slice: try TopicsSlice(parsing: "T2"))
        var sonState = RegistrationState.unregistered
        var delivered: [String] = []
        for delta in atCenter.deltas {
            if case .deliver(let change) = DeltaRouter.route(delta, to: son, registration: sonState) {
                delivered.append("branch1 \(delta.operation)")
                if let change { sonState = change.applied(to: sonState) }
            }
            if case .deliver = DeltaRouter.route(delta, to: other, registration: .unregistered) {
                delivered.append("branch2 \(delta.operation)")
            }
        }
        guard delivered == ["branch1 REGISTER", "branch2 CREATE"], sonState == .synchronized else {
            throw Failure(description: "routing delivered \(delivered), branch1 ended \(sonState)")
        }
        return "son create stored at \(state.updateTime), echo blocked, sibling served"
    }

    static func sample(_ type: FieldType) -> FieldValue {
        switch type {
        case .uuid: return .uuid(UUID())
        case .text: return .text("self-check")
        case .int: return .int(42)
        case .bigint: return .bigint(1 << 40)
        case .double: return .double(2.5)
        case .bool: return .bool(true)
        case .timestamp: return .timestamp(1_700_000_000_000_000)
        case .bytes: return .bytes(Data([0, 1, 2, 255]))
        case .json: return .json("{\"ok\":true}")
        }
    }
}
