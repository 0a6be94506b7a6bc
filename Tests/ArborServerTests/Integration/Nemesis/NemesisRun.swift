import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Synchronization

/// Carries out a planner's operations on a ``NemesisTree`` and records what each write was
/// answered in a ``NemesisLedger``, and the operation history for a failure report.
final class NemesisRun: @unchecked Sendable {
    let tree: NemesisTree
    let seed: UInt64
    private(set) var planner: NemesisPlanner
    private(set) var ledger = NemesisLedger()
    private(set) var history: [String] = []
    private(set) var counts: [String: Int] = [:]
    /// Per site, the ledger position when its last backup was taken.
    private var backupOrders: [Int: Int] = [:]

    init(tree: NemesisTree, seed: UInt64) {
        self.tree = tree
        self.seed = seed
        planner = NemesisPlanner(topology: tree.topology, seed: seed)
    }

    /// Runs `count` operations, then repairs every fault.
    func run(operations count: Int) async throws {
        for _ in 0..<count { try await perform(planner.next()) }
        for repair in planner.repairs() { try await perform(repair) }
    }

    private func perform(_ operation: NemesisOperation) async throws {
        let processes = tree.topology.processes
        var outcome = ""
        switch operation {
        case .create(let process, let id, let topics, let name):
            let write = EntityWrite(.create(inCache: true), entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics),
                                    fields: ["name": .text(name), "vip": .bool(false)])
            let answer = await append(write, at: process)
            outcome = "\(answer)"
            // The create leaves email null, and phone too: at an upgraded site it writes it null,
            // elsewhere the field starts null where the entity meets the upgraded schema.
            let fields = ["name": name, "email": "null", NemesisPlanner.upgradedField: "null"]
            if let answer { ledger.create(at: siteName(process), techId: id, topics: topics, fields: fields, answer: answer) }
        case .update(let process, let id, let field, let value):
            let answer = await append(EntityWrite(.update, entityClass: "Customer", techId: id, fields: [field: .text(value)]), at: process)
            outcome = "\(answer)"
            if let answer { ledger.update(at: siteName(process), techId: id, fields: [field: value], answer: answer) }
        case .move(let process, let id, let topics):
            let answer = await append(EntityWrite(.update, entityClass: "Customer", techId: id, topics: try TopicsList(parsing: topics)), at: process)
            outcome = "\(answer)"
            if let answer { ledger.update(at: siteName(process), techId: id, topics: topics, answer: answer) }
        case .delete(let process, let id):
            let answer = await append(EntityWrite(.delete, entityClass: "Customer", techId: id), at: process)
            outcome = "\(answer)"
            if let answer { ledger.delete(at: siteName(process), techId: id, answer: answer) }
        case .kill(let process):
            tree.kill9(site: processes[process].site, number: processes[process].number)
        case .restart(let process):
            try await tree.startProcess(site: processes[process].site, number: processes[process].number)
        case .cut(let site):
            for relay in tree.sites[site].relays { relay.cut() }
        case .heal(let site):
            for relay in tree.sites[site].relays { relay.heal() }
        case .pause(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
        case .changeSlice(let site, let slice):
            try await tree.changeSlice(site: site, to: slice)
        case .backup(let site):
            try await tree.backup(site: site)
            backupOrders[site] = ledger.nextOrder
        case .restore(let site):
            try await tree.restore(site: site)
            ledger.forgetAcknowledgements(at: tree.topology.sites[site].name, after: backupOrders[site] ?? 0)
        case .rebuild(let site):
            try await tree.rebuild(site: site)
            ledger.forgetAcknowledgements(at: tree.topology.sites[site].name, after: 0)
        case .upgradeSchema(let site):
            try await tree.upgradeSchema(site: site)
        }
        history.append("\(operation) → \(outcome.isEmpty ? "done" : outcome)")
        counts[String(describing: operation).split(separator: " ").first.map(String.init) ?? "?", default: 0] += 1
    }

    /// Appends one write at a process: acknowledged, unknown (no answer), or nil when refused.
    private func append(_ write: EntityWrite, at process: Int) async -> NemesisLedger.Answer? {
        let (site, number) = tree.topology.processes[process]
        do {
            _ = try await tree.writer(site: site, number: number).append([write])
            return .acknowledged
        } catch let error as EdgeError where error.httpStatus.map({ (400..<500).contains($0) }) ?? false {
            return nil
        } catch {
            return .unknown
        }
    }

    private func siteName(_ process: Int) -> String {
        tree.topology.sites[tree.topology.processes[process].site].name
    }

    /// Waits until every site holds what the oracle requires and the ledger finds nothing
    /// lost; returns the divergences still found at the deadline (empty on success) and how
    /// long convergence took.
    func awaitConvergence(timeout: Duration) async -> (divergences: [NemesisDivergence], took: Duration) {
        let started = ContinuousClock.now
        var last: [NemesisDivergence] = []
        while ContinuousClock.now - started < timeout {
            last = await divergences()
            if last.isEmpty { return ([], ContinuousClock.now - started) }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return (last, ContinuousClock.now - started)
    }

    /// Every divergence now: each son against the center, and the ledger against the center.
    func divergences() async -> [NemesisDivergence] {
        let topology = tree.topology
        guard let center = try? await tree.liveEntities(site: 0) else {
            return [NemesisDivergence(site: "center", techId: UUID(), problem: "did not answer a load")]
        }
        var found = ledger.check(center: center)
        for site in topology.sites.indices.dropFirst() {
            let name = topology.sites[site].name
            guard let held = try? await tree.liveEntities(site: site) else {
                found.append(NemesisDivergence(site: name, techId: UUID(), problem: "did not answer a load"))
                continue
            }
            // A site on the older schema holds what that schema can represent of the center's.
            let fields = Set(tree.sites[site].schema.entityClass(named: "Customer")?.storedFields.map(\.name) ?? [])
            let expected = tree.sites[site].schema == tree.sites[0].schema ? center : center.mapValues { $0.keepingFields(fields) }
            found += NemesisOracle.compare(site: name, holds: held, path: planner.path(to: site), center: expected)
        }
        return found
    }

    /// What to print when the run fails: the seed, the divergences, the history's end and logs.
    func report(_ divergences: [NemesisDivergence]) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-nemesis-\(seed)-history.txt")
        let saved = (try? history.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)) != nil
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-nemesis-\(seed)-logs")
        let kept = (try? tree.keepLogs(in: logs)) != nil
        return """
        nemesis seed \(seed) (replay: ARBOR_NEMESIS_SEED=\(seed)): \(divergences.count) divergences
        \(divergences.prefix(40).map(\.description).joined(separator: "\n"))
        --- every process's whole log: \(kept ? logs.path : "not kept")
        --- whole history: \(saved ? file.path : "not saved"); last operations of \(history.count):
        \(history.suffix(120).joined(separator: "\n"))
        \(tree.logTails())
        """
    }
}

