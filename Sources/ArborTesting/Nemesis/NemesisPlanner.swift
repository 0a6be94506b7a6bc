import ArborCore
import Foundation

/// Chooses a nemesis run's operations from a seed, so a failing run replays exactly.
///
/// It keeps its own belief of each entity's topics (the last topics it wrote) and which
/// processes are down and links cut; writes go to processes that are up, to entities the
/// process's site selects as far as it knows (a wrong belief only costs a refused write).
/// Faults stay bounded: at most one process per site is down at a time (so a two-process site
/// fails over), and every fault is repaired by ``repairs()`` before the check.
///
/// An additive schema upgrade rolls through the tree mid-run (issue 10 item 9): from operation
/// ``firstUpgrade`` on, every ``upgradeSpacing`` operations the next site in order (the center
/// first; a son only after its father) is upgraded once all its processes are up. Upgrades
/// draw nothing from the seed, so the rest of a seed's plan stays what it was.
public struct NemesisPlanner: Sendable {
    /// The operation after which the center is upgraded.
    public static let firstUpgrade = 60
    /// Operations between two sites' upgrades.
    public static let upgradeSpacing = 40
    /// The field only the upgraded schema has (``Fixtures/retailSchemaV2``).
    public static let upgradedField = "phone"
    public let topology: NemesisTopology
    private var random: SeededGenerator
    /// The live entities the planner wrote, with the topics it last wrote to each.
    private var topicsById: [UUID: TopicsList] = [:]
    /// Per site, the live entities its path selects as far as the planner knows; kept up to
    /// date on every write so choosing one costs nothing as the run grows.
    private var heldBySite: [IndexedIds] = []
    private var down: Set<Int> = []
    private var cut: Set<Int> = []
    private var counter = 0
    private var backedUp: Set<Int> = []
    /// Each son's father slice now, by site index.
    public private(set) var slices: [Int: String] = [:]
    /// The sites running the upgraded schema.
    public private(set) var upgraded: Set<Int> = []
    private var paths: [[TopicsSlice]] = []

    public init(topology: NemesisTopology = .standard, seed: UInt64) {
        self.topology = topology
        random = SeededGenerator(seed: seed)
        for (index, site) in topology.sites.enumerated() { slices[index] = site.fatherSlice }
        heldBySite = Array(repeating: IndexedIds(), count: topology.sites.count)
        updatePaths()
    }

    /// The father slices from the center down to `site`, as they are now.
    public func path(to site: Int) -> [TopicsSlice] { paths[site] }

    private mutating func updatePaths() {
        paths = topology.sites.indices.map { site in topology.path(to: site, current: slices).compactMap { try? TopicsSlice(parsing: $0) } }
        // Sorted once, by the tech-ids' bytes: the order of their uuidStrings (so a seed's plan
        // is unchanged) without formatting two strings per comparison, which made every slice
        // change cost seconds once a long run held tens of thousands of entities.
        let ordered = topicsById.sorted { $0.key.byteOrder < $1.key.byteOrder }
        for site in topology.sites.indices {
            var held = IndexedIds()
            for (id, topics) in ordered where selects(site, topics) { held.insert(id) }
            heldBySite[site] = held
        }
    }

    /// Records the topics the planner wrote to `id` (nil: deleted) in every site's held set.
    private mutating func setTopics(_ topics: TopicsList?, of id: UUID) {
        topicsById[id] = topics
        for site in topology.sites.indices {
            if let topics, selects(site, topics) { heldBySite[site].insert(id) } else { heldBySite[site].remove(id) }
        }
    }

    /// The next operation.
    public mutating func next() -> NemesisOperation {
        if let site = dueUpgrade() {
            upgraded.insert(site)
            return .upgradeSchema(site: site)
        }
        counter += 1
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<4: if let op = fault() { return op }
        case 4..<8: if let op = repair() { return op }
        case 8..<10: return .pause(milliseconds: Int.random(in: 50...400, using: &random))
        case 10..<14: if let op = siteOperation(roll) { return op }
        default: break
        }
        return write()
    }

    /// Operations that restart every killed process and heal every cut link.
    public mutating func repairs() -> [NemesisOperation] {
        defer { down.removeAll(); cut.removeAll() }
        return down.sorted().map { .restart(process: $0) } + cut.sorted().map { .heal(site: $0) }
    }

    private mutating func fault() -> NemesisOperation? {
        if Bool.random(using: &random) {
            let sons = topology.sites.indices.filter { topology.sites[$0].father != nil && !cut.contains($0) }
            guard let site = sons.randomElement(using: &random) else { return nil }
            cut.insert(site)
            return .cut(site: site)
        }
        let processes = topology.processes
        let candidates = processes.indices.filter { index in
            let site = processes[index].site
            return !processes.indices.contains { down.contains($0) && processes[$0].site == site }
        }
        guard let process = candidates.randomElement(using: &random) else { return nil }
        down.insert(process)
        return .kill(process: process)
    }

    /// A slice change, backup, restore or rebuild of a son site whose processes are all up.
    /// Restores and rebuilds only of sites without sons: a restored father is not handled yet.
    private mutating func siteOperation(_ roll: Int) -> NemesisOperation? {
        let processes = topology.processes
        let whole = topology.sites.indices.dropFirst().filter { site in
            !processes.indices.contains { down.contains($0) && processes[$0].site == site }
        }
        switch roll {
        case 10, 11:
            guard let site = whole.filter({ topology.sites[$0].sliceChoices.count > 1 }).randomElement(using: &random) else { return nil }
            let slice = topology.sites[site].sliceChoices.filter { $0 != slices[site] }.randomElement(using: &random)!
            slices[site] = slice
            updatePaths()
            return .changeSlice(site: site, slice: slice)
        case 12:
            guard let site = whole.randomElement(using: &random) else { return nil }
            backedUp.insert(site)
            return .backup(site: site)
        default:
            let leaves = whole.filter { !topology.hasSons($0) }
            guard let site = leaves.randomElement(using: &random) else { return nil }
            if backedUp.contains(site), Bool.random(using: &random) { return .restore(site: site) }
            backedUp.remove(site)
            return .rebuild(site: site)
        }
    }

    /// The site whose schema upgrade is due now, if any: the first not upgraded in index order,
    /// when its father runs the upgraded schema and none of its processes is down.
    private func dueUpgrade() -> Int? {
        guard counter >= Self.firstUpgrade + Self.upgradeSpacing * upgraded.count,
              let site = topology.sites.indices.first(where: { !upgraded.contains($0) }),
              topology.sites[site].father.map(upgraded.contains) ?? true else { return nil }
        let processes = topology.processes
        guard !processes.indices.contains(where: { down.contains($0) && processes[$0].site == site }) else { return nil }
        return site
    }

    private mutating func repair() -> NemesisOperation? {
        if let process = down.sorted().randomElement(using: &random) {
            down.remove(process)
            return .restart(process: process)
        }
        if let site = cut.sorted().randomElement(using: &random) {
            cut.remove(site)
            return .heal(site: site)
        }
        return nil
    }

    private mutating func write() -> NemesisOperation {
        let processes = topology.processes
        let up = processes.indices.filter { !down.contains($0) }
        guard let process = up.randomElement(using: &random) else { return .pause(milliseconds: 100) }
        let site = processes[process].site
        let held = heldBySite[site]
        let roll = Int.random(in: 0..<100, using: &random)
        if held.isEmpty || roll < 30 {
            let topics = randomTopics(selectedAt: site)
            let id = nextId()
            setTopics(try? TopicsList(parsing: topics), of: id)
            return .create(process: process, techId: id, topics: topics, name: "n\(counter)")
        }
        let id = held.randomElement(using: &random)
        switch roll {
        case 30..<75:
            var field = Bool.random(using: &random) ? "name" : "email"
            // Without a draw of its own, so a seed's plan is the same with or without upgrades.
            if upgraded.contains(site), counter % 3 == 0 { field = Self.upgradedField }
            return .update(process: process, techId: id, field: field, value: "\(field.prefix(1))\(counter)")
        case 75..<95:
            let topics = randomTopics(selectedAt: nil)
            setTopics(try? TopicsList(parsing: topics), of: id)
            return .move(process: process, techId: id, topics: topics)
        default:
            setTopics(nil, of: id)
            return .delete(process: process, techId: id)
        }
    }

    /// One or two topics; selected at `site` when given (so the writer holds the new entity).
    private mutating func randomTopics(selectedAt site: Int?) -> String {
        for _ in 0..<20 {
            var chosen = Set([topology.topics.randomElement(using: &random)!])
            if Int.random(in: 0..<4, using: &random) == 0 { chosen.insert(topology.topics.randomElement(using: &random)!) }
            let text = "," + chosen.sorted().joined(separator: ",") + ","
            if let site, let list = try? TopicsList(parsing: text), !selects(site, list) { continue }
            return text
        }
        return "," + (topology.topics.first ?? "shared") + ","
    }

    private func selects(_ site: Int, _ topics: TopicsList) -> Bool {
        paths[site].allSatisfy { $0.selectsInSteadyState(topics) }
    }

    /// A tech-id drawn from the seed, so a replay writes the same ids.
    private mutating func nextId() -> UUID {
        let high = random.next(), low = random.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * index))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Ids in a deterministic order with constant-time insert, remove and random choice (a `Set`'s
/// order changes from process to process, which would break a seed's replay).
struct IndexedIds: Sendable {
    private var members: [UUID] = []
    private var positions: [UUID: Int] = [:]

    var isEmpty: Bool { members.isEmpty }

    mutating func insert(_ id: UUID) {
        guard positions[id] == nil else { return }
        positions[id] = members.count
        members.append(id)
    }

    mutating func remove(_ id: UUID) {
        guard let position = positions.removeValue(forKey: id) else { return }
        let last = members.removeLast()
        if position < members.count {
            members[position] = last
            positions[last] = position
        }
    }

    func randomElement(using random: inout SeededGenerator) -> UUID {
        members[Int.random(in: 0..<members.count, using: &random)]
    }
}
