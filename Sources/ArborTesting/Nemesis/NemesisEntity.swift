import ArborCore
import Foundation

/// One live entity as a site serves it in a load: its application topics and its fields with
/// the time each was written. What the nemesis oracle compares between sites.
public struct NemesisEntity: Hashable, Sendable {
    public var techId: UUID
    /// Application topics only: the `#` site topics differ between sites by design.
    public var topics: Set<String>
    /// Every field with its write time (the `deleted` flag included).
    public var fields: [String: TimedValue]

    public init(techId: UUID, topics: Set<String>, fields: [String: TimedValue]) {
        self.techId = techId
        self.topics = topics
        self.fields = fields
    }

    /// The entity a load's CREATE (or a FULL) delta describes.
    public init(delta: Delta) {
        techId = delta.techId
        topics = Set(delta.topics.applicationTopics.entries)
        fields = delta.fields
    }

    /// The entities of a load answer, by tech-id.
    public static func byId(_ deltas: [Delta]) -> [UUID: NemesisEntity] {
        Dictionary(deltas.map { ($0.techId, NemesisEntity(delta: $0)) }, uniquingKeysWith: { $1 })
    }

    /// The entity with only the fields named (as a site on an older schema holds it).
    public func keepingFields(_ names: Set<String>) -> NemesisEntity {
        var copy = self
        copy.fields = fields.filter { names.contains($0.key) }
        return copy
    }

    /// The formatted topics list (`,a,b,`), sorted so equal sets print alike.
    public var formattedTopics: String { "," + topics.sorted().joined(separator: ",") + "," }
}

/// A difference the oracle found, named so a failure can be read without a debugger.
public struct NemesisDivergence: Hashable, Sendable, CustomStringConvertible {
    public var site: String
    public var techId: UUID
    public var problem: String

    public init(site: String, techId: UUID, problem: String) {
        self.site = site
        self.techId = techId
        self.problem = problem
    }

    public var description: String { "\(site) \(techId): \(problem)" }
}
