import ArborCore
import Foundation

/// The convergence property of the nemesis test, as a pure function over what sites serve.
///
/// At quiescence every site holds exactly what the slices on its path from the center select
/// of the center's live entities, with equal topics, values and write times; it may also hold
/// entities that left its slice while it stayed registered on them, but then they must equal the
/// center's copy too (registration keeps them up to date), and only while they carry no topic a
/// slice of the path negates (a son drops those).
public enum NemesisOracle {
    /// The divergences of `site` (live entities, by id) from `center`, where `path` lists the
    /// father slices from the center down to the site (empty for the center itself).
    public static func compare(
        site: String, holds entities: [UUID: NemesisEntity], path: [TopicsSlice], center: [UUID: NemesisEntity]
    ) -> [NemesisDivergence] {
        var found: [NemesisDivergence] = []
        for (id, expected) in center where selects(path, expected.topics) {
            guard let held = entities[id] else {
                found.append(NemesisDivergence(site: site, techId: id, problem: "missing; the center holds it with topics \(expected.formattedTopics)"))
                continue
            }
            found += differences(site: site, held: held, expected: expected)
        }
        for (id, held) in entities where center[id].map({ !selects(path, $0.topics) }) ?? true {
            guard let expected = center[id] else {
                found.append(NemesisDivergence(site: site, techId: id, problem: "held with topics \(held.formattedTopics) but not live at the center"))
                continue
            }
            // Outside the slice: allowed while registered, and then kept equal — unless it
            // gained a topic a slice of the path negates: then the site drops it (DESIGN rule 1).
            let negated = path.reduce(into: Set<String>()) { $0.formUnion($1.negatedTopics) }
            if !negated.isDisjoint(with: expected.topics) {
                found.append(NemesisDivergence(site: site, techId: id, problem: "held although its topics \(expected.formattedTopics) carry a topic the slices negate"))
                continue
            }
            found += differences(site: site, held: held, expected: expected)
        }
        return found.sorted { ($0.site, $0.techId.uuidString) < ($1.site, $1.techId.uuidString) }
    }

    /// Whether every slice of `path` selects `topics` in steady state.
    public static func selects(_ path: [TopicsSlice], _ topics: Set<String>) -> Bool {
        guard let list = try? TopicsList(topics.sorted()) else { return false }
        return path.allSatisfy { $0.selectsInSteadyState(list) }
    }

    private static func differences(site: String, held: NemesisEntity, expected: NemesisEntity) -> [NemesisDivergence] {
        var found: [NemesisDivergence] = []
        if held.topics != expected.topics {
            found.append(NemesisDivergence(site: site, techId: held.techId, problem: "topics \(held.formattedTopics), the center has \(expected.formattedTopics)"))
        }
        for name in Set(held.fields.keys).union(expected.fields.keys).sorted() where held.fields[name] != expected.fields[name] {
            let here = held.fields[name].map { "\($0.value)@\($0.time)" } ?? "absent"
            let there = expected.fields[name].map { "\($0.value)@\($0.time)" } ?? "absent"
            found.append(NemesisDivergence(site: site, techId: held.techId, problem: "field \(name) is \(here), the center has \(there)"))
        }
        return found
    }
}
