import Foundation

/// The comparison of two sites' per-entity digests (`arbor verify`), as a pure value: which
/// entities only one site holds and which both hold with different digests.
public struct VerifyReport: Hashable, Sendable, CustomStringConvertible {
    /// How one entity differs between the two sites.
    public enum Difference: Hashable, Sendable {
        /// Only site A holds it.
        case onlyAtA
        /// Only site B holds it.
        case onlyAtB
        /// Both hold it, with different digests.
        case differs
    }

    /// One entity that is not the same at both sites.
    public struct Entry: Hashable, Sendable {
        public var entity: EntityRef
        public var difference: Difference

        public init(entity: EntityRef, difference: Difference) {
            self.entity = entity
            self.difference = difference
        }
    }

    /// How site A is named in the description (its URL, say).
    public var labelA: String
    /// How site B is named in the description.
    public var labelB: String
    /// Every difference, ordered by class, then tech-id.
    public private(set) var entries: [Entry]
    /// How many entities both sites hold with equal digests.
    public private(set) var matching: Int

    /// Compares the digests of site A with those of site B.
    public init(a: [EntityRef: String], b: [EntityRef: String], labelA: String = "A", labelB: String = "B") {
        self.labelA = labelA
        self.labelB = labelB
        var entries: [Entry] = []
        var matching = 0
        for (entity, digest) in a {
            switch b[entity] {
            case .none: entries.append(Entry(entity: entity, difference: .onlyAtA))
            case .some(let other) where other == digest: matching += 1
            case .some: entries.append(Entry(entity: entity, difference: .differs))
            }
        }
        for entity in b.keys where a[entity] == nil {
            entries.append(Entry(entity: entity, difference: .onlyAtB))
        }
        self.entries = entries.sorted { Self.precedes($0.entity, $1.entity) }
        self.matching = matching
    }

    /// Compares two digest answers (an entity listed twice counts once, with its first digest).
    public init(a: DigestResponse, b: DigestResponse, labelA: String = "A", labelB: String = "B") {
        self.init(a: a.digestsByEntity, b: b.digestsByEntity, labelA: labelA, labelB: labelB)
    }

    /// Whether both sites hold exactly the same entities with the same digests.
    public var isEqual: Bool { entries.isEmpty }

    /// The entities only site A holds.
    public var onlyAtA: [EntityRef] { entities(.onlyAtA) }
    /// The entities only site B holds.
    public var onlyAtB: [EntityRef] { entities(.onlyAtB) }
    /// The entities both hold with different digests.
    public var differing: [EntityRef] { entities(.differs) }

    /// One line: `equal: 12 entities match` or the counts of each kind of difference.
    public var summary: String {
        if isEqual { return "equal: \(matching) \(matching == 1 ? "entity matches" : "entities match")" }
        return "different: \(differing.count) differ, \(onlyAtA.count) only at \(labelA), \(onlyAtB.count) only at \(labelB), \(matching) match"
    }

    /// One line per difference (`Customer 00000000-… only at A`), then the summary line.
    public var description: String {
        let lines = entries.map { entry -> String in
            let what: String
            switch entry.difference {
            case .onlyAtA: what = "only at \(labelA)"
            case .onlyAtB: what = "only at \(labelB)"
            case .differs: what = "differs"
            }
            return "\(entry.entity.entityClass) \(entry.entity.techId.uuidString) \(what)"
        }
        return (lines + [summary]).joined(separator: "\n")
    }

    private func entities(_ difference: Difference) -> [EntityRef] {
        entries.filter { $0.difference == difference }.map(\.entity)
    }

    /// Class name (by UTF-8 bytes), then tech-id: a stable order for reports and answers.
    public static func precedes(_ lhs: EntityRef, _ rhs: EntityRef) -> Bool {
        if lhs.entityClass != rhs.entityClass { return lhs.entityClass.utf8.lexicographicallyPrecedes(rhs.entityClass.utf8) }
        return lhs.techId.byteOrder < rhs.techId.byteOrder
    }
}

extension DigestResponse {
    /// The digests by entity; an entity listed twice keeps its first digest.
    public var digestsByEntity: [EntityRef: String] {
        Dictionary(entities.map { ($0.entity, $0.digest) }, uniquingKeysWith: { first, _ in first })
    }
}
