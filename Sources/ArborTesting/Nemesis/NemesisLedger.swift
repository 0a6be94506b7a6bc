import ArborCore
import Foundation

/// Every write the nemesis made and what its site answered, checked against the center's final
/// state: nothing acknowledged is lost, and per-field last-writer-wins holds.
///
/// Write times are not visible from outside, but one site's writes to one field are ordered
/// (each local write is stamped after the entity's current times), so the field's final value
/// must come from a write that its own site did not overwrite later with an acknowledged write.
/// Each written value is unique, so the final value names its write.
public struct NemesisLedger: Sendable {
    /// What a site answered.
    public enum Answer: Hashable, Sendable {
        /// 200: committed.
        case acknowledged
        /// No answer (connection cut, process killed): it may or may not have committed.
        case unknown
    }

    /// One write of one field (`#topics` for the topics list, `#deleted` for a logical delete).
    public struct FieldWrite: Hashable, Sendable {
        public var site: String
        public var techId: UUID
        public var field: String
        public var value: String
        public var answer: Answer
        /// The position of the write among all writes, in the order they were made.
        public var order: Int
        /// Set by the entity's create, which every other write of the entity follows: any
        /// site's acknowledged write of the field is stamped after it and must win.
        public var byCreate = false
    }

    public static let topicsField = "#topics"
    public static let deletedField = "#deleted"

    public static let createField = "#create"

    public private(set) var writes: [FieldWrite] = []

    public init() {}

    /// The position the next write gets (see ``forgetAcknowledgements(at:after:)``).
    public var nextOrder: Int { writes.count }

    /// Records a create with its initial fields and topics; `fields` holds the nullable fields
    /// the create leaves out too, as `null` (the create writes them null).
    public mutating func create(at site: String, techId: UUID, topics: String, fields: [String: String], answer: Answer) {
        record(site, techId, Self.createField, "", answer, byCreate: true)
        record(site, techId, Self.topicsField, topics, answer, byCreate: true)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { record(site, techId, name, value, answer, byCreate: true) }
    }

    /// Records an update of fields and, when given, of the topics.
    public mutating func update(at site: String, techId: UUID, topics: String? = nil, fields: [String: String] = [:], answer: Answer) {
        if let topics { record(site, techId, Self.topicsField, topics, answer) }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { record(site, techId, name, value, answer) }
    }

    /// Records a logical delete.
    public mutating func delete(at site: String, techId: UUID, answer: Answer) {
        record(site, techId, Self.deletedField, "true", answer)
    }

    /// The operator threw away writes of `site` made at or after `order` (a rebuild loses
    /// everything not yet uploaded, a restore what came after its backup): each may or may not
    /// have reached the father before.
    public mutating func forgetAcknowledgements(at site: String, after order: Int) {
        for index in writes.indices where writes[index].site == site && writes[index].order >= order {
            writes[index].answer = .unknown
        }
    }

    private mutating func record(_ site: String, _ techId: UUID, _ field: String, _ value: String, _ answer: Answer, byCreate: Bool = false) {
        writes.append(FieldWrite(site: site, techId: techId, field: field, value: value, answer: answer, order: writes.count, byCreate: byCreate))
    }

    /// The acknowledged writes the center lost or ordered wrongly; `center` holds its live
    /// entities. An entity some delete may have reached (acknowledged or not) may be absent.
    public func check(center: [UUID: NemesisEntity]) -> [NemesisDivergence] {
        var found: [NemesisDivergence] = []
        let deletes = Dictionary(grouping: writes.filter { $0.field == Self.deletedField }, by: \.techId)
        let created = Set(writes.filter { $0.field == Self.createField && $0.answer == .acknowledged }.map(\.techId))
        for id in created where center[id] == nil && deletes[id] == nil {
            found.append(NemesisDivergence(site: "center", techId: id, problem: "an acknowledged create is missing"))
        }
        for (id, writes) in deletes where writes.contains(where: { $0.answer == .acknowledged }) && center[id] != nil {
            found.append(NemesisDivergence(site: "center", techId: id, problem: "live although its delete was acknowledged"))
        }
        let byField = Dictionary(grouping: writes.filter { $0.field != Self.deletedField && $0.field != Self.createField }, by: { FieldKey(techId: $0.techId, field: $0.field) })
        for (key, fieldWrites) in byField {
            guard let entity = center[key.techId] else { continue }
            let final: String?
            if key.field == Self.topicsField {
                final = entity.formattedTopics
            } else {
                final = entity.fields[key.field].flatMap { Self.token($0.value) }
            }
            guard let final else {
                // A create's implicit null in a field the center's schema lacks is no loss.
                if fieldWrites.contains(where: { $0.answer == .acknowledged && !($0.byCreate && $0.value == "null") }) {
                    found.append(NemesisDivergence(site: "center", techId: key.techId, problem: "field \(key.field) lost every acknowledged write"))
                }
                continue
            }
            let candidates = fieldWrites.filter { $0.value == final }
            let standing = candidates.contains { candidate in
                !fieldWrites.contains { overrides($0, candidate) && $0.value != final }
            }
            if candidates.isEmpty {
                found.append(NemesisDivergence(site: "center", techId: key.techId, problem: "field \(key.field) holds '\(final)', which no write wrote"))
            } else if !standing {
                let later = fieldWrites.filter { overrides($0, candidates[0]) }.map { "\($0.value) at \($0.site)" }
                found.append(NemesisDivergence(
                    site: "center", techId: key.techId,
                    problem: "field \(key.field) holds '\(final)' from \(candidates[0].site)\(candidates[0].byCreate ? "'s create" : ""), which later acknowledged writes override (\(later.joined(separator: ", "))): last-writer-wins broken"))
            }
        }
        return found.sorted { ($0.techId.uuidString, $0.problem) < ($1.techId.uuidString, $1.problem) }
    }

    /// Whether `write` was acknowledged and stamped after `candidate` for sure: a later write
    /// of the same site, or any site's write after the create.
    private func overrides(_ write: FieldWrite, _ candidate: FieldWrite) -> Bool {
        write.answer == .acknowledged && write.order > candidate.order && (write.site == candidate.site || candidate.byCreate)
    }

    private struct FieldKey: Hashable {
        var techId: UUID
        var field: String
    }

    private static func token(_ value: FieldValue) -> String? {
        if case .text(let text) = value { return text }
        return "\(value)"
    }
}
