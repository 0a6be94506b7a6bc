import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 10 with real `arbor serve` processes: a father (here the center) restored from an
/// older backup. Its log reuses sequence numbers its son and its registered edges already
/// fetched through; they must notice (`LogReplaced`) and reload rather than silently skip the
/// father's new writes, and the son must upload again what the father lost of its writes.
@Suite(.serialized, .heavy) struct FatherRestoreEndToEndTests {
    /// What the branch does while the center is restored.
    enum Branch: String, CaseIterable, CustomStringConvertible {
        /// It is stopped too, and starts after the restored center wrote past its position:
        /// its SkipLoad names the old log.
        case stoppedMeanwhile
        /// It keeps running: its fetches and uploads reconnect to the restored center.
        case keepsRunning

        var description: String { rawValue }
    }

    @Test(.heavy(timeLimit: .seconds(300)), arguments: Branch.allCases)
    func writesAfterAFatherRestoreReachBothSidesAndTheyConverge(branch: Branch) async throws {
        let center = try await TreeSite(name: "center", backend: .sqlite, sons: ["east"], clients: ["checker", "watcher"], father: nil)
        var sites = [center]
        let backupFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-center-backup-\(UUID().uuidString).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: backupFile.path + suffix) } }
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, clients: ["checker"], father: (center.baseURL, "east"))
            sites.append(east)
            try await east.start()
            let book = WriteBook()
            for n in 0..<3 {
                try await book.create("centerBefore\(n)", at: center, topics: ",east,")
                try await book.create("eastBefore\(n)", at: east, topics: ",east,")
            }
            let before = (0..<3).flatMap { ["centerBefore\($0)", "eastBefore\($0)"] }
            try await center.waitUntilHolds(book, before)
            try await east.waitUntilHolds(book, before)
            // A registered application edge of the center, holding a position in its log.
            let watcher = try center.clientEdge("watcher")
            _ = try await watcher.fullLoad(slice: "east")

            let run = try await ArborCommand.run(["backup"] + ArborCommand.storeArguments(center.place, prefix: center.prefix) + ["--site", "center", backupFile.path])
            #expect(run.status == 0, "\(run)")

            // Writes after the backup, acknowledged and exchanged: the restore takes them from the center.
            let centerLost = (0..<6).map { "centerLost\($0)" }, eastLost = (0..<6).map { "eastLost\($0)" }
            for n in 0..<6 {
                try await book.create(centerLost[n], at: center, topics: ",east,")
                try await book.create(eastLost[n], at: east, topics: ",east,")
            }
            try await book.update("eastBefore0", at: east, fields: ["name": .text("renamed at east after the backup")])
            try await book.update("centerBefore0", at: center, fields: ["name": .text("renamed at the center after the backup")])
            try await center.waitUntilHolds(book, centerLost + eastLost)
            try await east.waitUntilHolds(book, centerLost + eastLost)
            _ = try await watcher.fetchDeltasOnce(waitMilliseconds: 0)

            // The operator restores the center's backup, and the restored center writes past the
            // position the branch holds in its old log.
            if branch == .stoppedMeanwhile { await east.process?.stop() }
            await center.process?.stop()
            try TreeSite.copyDatabase(from: backupFile.path, to: try #require(center.place.sqlitePath))
            try await center.start(keepingPort: true)
            let centerAfter = (0..<40).map { "centerAfter\($0)" }
            for name in centerAfter { try await book.create(name, at: center, topics: ",east,") }
            if branch == .stoppedMeanwhile { try await east.start() }
            let eastAfter = (0..<5).map { "eastAfter\($0)" }
            for name in eastAfter { try await book.create(name, at: east, topics: ",east,") }
            try await book.update("eastBefore1", at: east, fields: ["name": .text("renamed at east after the restore")])

            // Every write acknowledged after the restore reaches the other side, and the center
            // gets back the writes its restore lost: the branch's, and its own the branch holds.
            try await east.waitUntilHolds(book, centerAfter)
            try await center.waitUntilHolds(book, eastAfter + eastLost + centerLost)
            try await TreeSite.waitForConvergence(father: center, son: east, slice: "east")
            let atCenter = try await center.clientEdge("checker").fullLoad(slice: "east")
            let byId = Dictionary(atCenter.deltas.map { ($0.techId, $0) }, uniquingKeysWith: { $1 })
            #expect(byId[book.ids["eastBefore0"]!]?.fields["name"]?.value == .text("renamed at east after the backup"))
            #expect(byId[book.ids["eastBefore1"]!]?.fields["name"]?.value == .text("renamed at east after the restore"))
            #expect(byId[book.ids["centerBefore0"]!]?.fields["name"]?.value == .text("renamed at the center after the backup"), "the branch sends back the center's own lost update")
            #expect(center.process?.output.contains("restored copy") == true, "the center says it was restored")
            #expect(east.process?.output.contains("the father's log was replaced") == true, "the branch says why it reloads")

            // The application edge is told its position is in a log that is gone.
            do {
                _ = try await watcher.fetchDeltasOnce(waitMilliseconds: 0)
                Issue.record("a fetch from a position in the center's old log was answered")
            } catch let error as EdgeError {
                #expect(error.code.rawValue == "LogReplaced", "\(error)")
            }
        } catch {
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }
}
