import ArborCore
import ArborEdge
import ArborTesting
import Foundation
import Testing

/// What the backup and restore end-to-end tests do to tree sites: copy database files, and wait
/// (bounded) for writes to arrive and for two sites to converge.
extension TreeSite {
    /// Copies an SQLite database file (and its WAL, when there is one) over another.
    static func copyDatabase(from source: String, to target: String) throws {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: target + suffix)
            if FileManager.default.fileExists(atPath: source + suffix) {
                try FileManager.default.copyItem(atPath: source + suffix, toPath: target + suffix)
            }
        }
    }

    /// Waits (≤ 90 s) until this site holds every named entity of `book` in `slice`
    /// (read with client `checker`).
    func waitUntilHolds(_ book: WriteBook, _ names: [String], slice: String = "east") async throws {
        let ids = Set(names.compactMap { book.ids[$0] })
        let deadline = ContinuousClock.now + .seconds(90)
        var missing = ids.count
        while ContinuousClock.now < deadline {
            if let load = try? await clientEdge("checker").fullLoad(slice: slice) {
                missing = ids.subtracting(load.deltas.map(\.techId)).count
                if missing == 0 { return }
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("\(missing) of \(ids.count) writes did not reach \(name) within 90 s")
        throw TestStoreError("writes missing at \(name)")
    }

    /// Waits (≤ 90 s) until the son's digests on `slice` equal the father's, leaving out the
    /// entities of `ignoring` on both sides.
    static func waitForConvergence(father: TreeSite, son: TreeSite, slice: String, ignoring: Set<UUID> = []) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        var lastDifference = ""
        while ContinuousClock.now < deadline {
            if var fatherDigests = try? await father.clientEdge("checker").digests(slice: slice),
               var sonDigests = try? await son.clientEdge("checker").digests(slice: slice) {
                fatherDigests.entities.removeAll { ignoring.contains($0.entity.techId) }
                sonDigests.entities.removeAll { ignoring.contains($0.entity.techId) }
                let report = VerifyReport(a: fatherDigests, b: sonDigests, labelA: father.name, labelB: son.name)
                if report.isEqual { return }
                lastDifference = "\(report)"
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("\(son.name) did not converge with \(father.name) within 90 s: \(lastDifference)")
        throw TestStoreError("no convergence")
    }
}
