import ArborCore
import ArborTesting
import Foundation

/// Random buffers valid against ``Fixtures/retailSchema``, edge values included, for property tests.
struct RandomDeltaBuffer {
    var rng: SeededGenerator
    let schema = Fixtures.retailSchema

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
    }

    mutating func buffer() -> DeltaBuffer {
        let count = Int.random(in: 0...4, using: &rng)
        return DeltaBuffer(
            schemaName: schema.name, originSite: pick(["center", "paris", "lyon-2", "", "ville-é"]),
            sequence: int64(), deltas: (0..<count).map { _ in delta() }
        )
    }

    mutating func delta() -> Delta {
        let entityClass = pick(schema.classes)
        let updateTime = HybridTimestamp(microseconds: int64())
        var subEntities: [SubEntityDelta] = []
        let paths = entityClass.collectionPaths
        if !paths.isEmpty {
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let (path, collection) = pick(paths)
                subEntities.append(SubEntityDelta(
                    operation: pick(SubEntityOperation.allCases), collection: path, techId: uuid(), parentId: uuid(),
                    fields: fields(collection.fields)
                ))
            }
        }
        return Delta(
            operation: pick(DeltaOperation.allCases), entityClass: entityClass.name, techId: uuid(), updateTime: updateTime,
            topics: topics(), oldTopics: Bool.random(using: &rng) ? topics() : nil,
            topicsTime: Bool.random(using: &rng) ? HybridTimestamp(microseconds: int64()) : nil,
            inCache: Bool.random(using: &rng), fields: fields(entityClass.storedFields), subEntities: subEntities,
            registration: Bool.random(using: &rng) ? pick([.registerIfUnregistered, .desynchronize, .synchronize, .unregister]) : nil
        )
    }

    mutating func fields(_ definitions: [FieldDefinition]) -> [String: TimedValue] {
        var result: [String: TimedValue] = [:]
        for definition in definitions where Bool.random(using: &rng) {
            result[definition.name] = TimedValue(value(for: definition), at: HybridTimestamp(microseconds: int64()))
        }
        return result
    }

    mutating func value(for definition: FieldDefinition) -> FieldValue {
        if definition.nullable, Int.random(in: 0..<4, using: &rng) == 0 { return .null }
        switch definition.type {
        case .uuid: return .uuid(uuid())
        case .text: return .text(text())
        case .json: return .json(pick(["{}", "{\"a\":[1,2]}", "null", text()]))
        case .int: return .int(pick([Int32.min, Int32.max, 0, -1, Int32.random(in: .min ... .max, using: &rng)]))
        case .bigint: return .bigint(int64())
        case .timestamp: return .timestamp(int64())
        case .double: return .double(double())
        case .bool: return .bool(Bool.random(using: &rng))
        case .bytes: return .bytes(Data((0..<Int.random(in: 0...9, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        }
    }

    mutating func int64() -> Int64 {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return pick([Int64.min, Int64.max, 0, -1, 1])
        case 1: return Int64.random(in: -1000...1000, using: &rng)
        case 2: return Int64.random(in: 1_600_000_000_000_000...1_800_000_000_000_000, using: &rng)
        default: return Int64(bitPattern: rng.next())
        }
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return pick([0.0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1.5])
        case 1: return Double.random(in: -1e6...1e6, using: &rng)
        default: return Double(bitPattern: rng.next())
        }
    }

    mutating func text() -> String {
        let pieces = ["", "a", "Zoë", "北京", "🚀👩‍👩‍👧", "\u{1}", "\"quoted\"\n", "\\", "line\tbreak", "ASCII only"]
        return (0..<Int.random(in: 0...3, using: &rng)).map { _ in pick(pieces) }.joined()
    }

    mutating func topics() -> TopicsList {
        let pool = ["A", "B1", "#N3", "#F", "é", "北京", "X_Y", "T-9"]
        let entries = (0..<Int.random(in: 0...3, using: &rng)).map { _ in pick(pool) }
        return (try? TopicsList(entries)) ?? .empty
    }

    mutating func uuid() -> UUID {
        var bytes = ByteWriter()
        bytes.writeUInt64(rng.next())
        bytes.writeUInt64(rng.next())
        var reader = ByteReader(bytes.bytes)
        return (try? reader.readUUID()) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &rng)]
    }
}
