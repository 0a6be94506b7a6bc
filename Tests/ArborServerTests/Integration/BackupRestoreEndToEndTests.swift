import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// Issue 10 item 1 with real `arbor serve` processes: a branch restored from an older copy of
/// its database, or rebuilt from nothing with `arbor init`, loses none of the writes it
/// acknowledges afterwards, and converges with its father again.
@Suite(.serialized, .heavy) struct BackupRestoreEndToEndTests {
    /// How the older copy of the branch's database was made.
    enum Copy: String, CaseIterable, CustomStringConvertible {
        /// `arbor backup` while the branch serves (the copy is marked as restored).
        case arborBackup
        /// A plain file copy of the stopped branch (same incarnation, unmarked).
        case fileCopy

        var description: String { rawValue }
    }

    @Test(.heavy(timeLimit: .seconds(300)), arguments: Copy.allCases)
    func writesAfterARestoreReachTheFatherAndTheBranchConverges(copy: Copy) async throws {
        let centerBackend: TestStores.Backend = TestStores.available.contains(.postgres) ? .postgres : .sqlite
        let center = try await TreeSite(name: "center", backend: centerBackend, sons: ["east"], clients: ["checker"], father: nil)
        var sites = [center]
        let backupFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-backup-\(UUID().uuidString).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: backupFile.path + suffix) } }
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, clients: ["checker"], father: (center.baseURL, "east"))
            sites.append(east)
            try await east.start()
            let book = WriteBook()
            for n in 0..<4 { try await book.create("before\(n)", at: east, topics: ",east,") }
            try await center.waitUntilHolds(book, ["before0", "before1", "before2", "before3"])

            switch copy {
            case .arborBackup:
                let run = try await ArborCommand.run(["backup"] + ArborCommand.storeArguments(east.place, prefix: east.prefix) + ["--site", "east", backupFile.path])
                #expect(run.status == 0, "\(run)")
                let again = try await ArborCommand.run(["backup"] + ArborCommand.storeArguments(east.place, prefix: east.prefix) + ["--site", "east", backupFile.path])
                #expect(again.status != 0 && again.errors.contains("--force"), "an existing file is not overwritten: \(again)")
            case .fileCopy:
                await east.process?.stop()
                try TreeSite.copyDatabase(from: try #require(east.place.sqlitePath), to: backupFile.path)
                try await east.start()
            }

            // Writes after the copy: the father applies them, so its position moves past the copy's log.
            let lost = (0..<10).map { "lost\($0)" }
            for name in lost { try await book.create(name, at: east, topics: ",east,") }
            try await book.update("before0", at: east, fields: ["name": .text("renamed after the copy")])
            try await center.waitUntilHolds(book, lost)

            // The operator restores the older copy while the branch is stopped.
            await east.process?.stop()
            try TreeSite.copyDatabase(from: backupFile.path, to: try #require(east.place.sqlitePath))
            try await east.start()
            let after = (0..<5).map { "after\($0)" }
            for name in after { try await book.create(name, at: east, topics: ",east,") }
            try await book.update("before1", at: east, fields: ["name": .text("renamed after the restore")])

            try await center.waitUntilHolds(book, after)
            try await TreeSite.waitForConvergence(father: center, son: east, slice: "east")
            let everything = try await center.clientEdge("checker").fullLoad(slice: "east")
            let byId = Dictionary(everything.deltas.map { ($0.techId, $0) }, uniquingKeysWith: { $1 })
            #expect(byId[book.ids["before1"]!]?.fields["name"]?.value == .text("renamed after the restore"))
            #expect(byId[book.ids["before0"]!]?.fields["name"]?.value == .text("renamed after the copy"), "the restore moved nothing back")
            let atEast = try await east.clientEdge("checker").fullLoad(slice: "east")
            #expect(Set(atEast.deltas.map(\.techId)).isSuperset(of: lost.compactMap { book.ids[$0] }), "the branch got back what the restore lost")
            #expect(east.process?.output.contains("re-join") == true, "the branch says it re-joined")
        } catch {
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }

    @Test(.heavy(timeLimit: .seconds(300)))
    func aBranchRebuiltWithInitUploadsItsNewWrites() async throws {
        let centerBackend: TestStores.Backend = TestStores.available.contains(.postgres) ? .postgres : .sqlite
        let center = try await TreeSite(name: "center", backend: centerBackend, sons: ["east"], clients: ["checker"], father: nil)
        var sites = [center]
        do {
            try await center.start()
            let east = try await TreeSite(name: "east", backend: .sqlite, clients: ["checker"], father: (center.baseURL, "east"))
            sites.append(east)
            try await east.start()
            let book = WriteBook()
            let first = (0..<12).map { "first\($0)" }
            for name in first { try await book.create(name, at: east, topics: ",east,") }
            try await center.waitUntilHolds(book, first)

            // The operator deletes the branch's database and initializes it again.
            await east.process?.stop()
            let path = try #require(east.place.sqlitePath)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let initialized = try await ArborCommand.run(["init"] + ArborCommand.storeArguments(east.place, prefix: east.prefix) + ["--site", "east"])
            #expect(initialized.status == 0 && initialized.output.contains("incarnation"), "\(initialized)")
            for client in ["checker", TreeSite.appClient] {
                let added = try await ArborCommand.run(["clients", "add", client] + ArborCommand.storeArguments(east.place, prefix: east.prefix) + ["--site", "east"])
                #expect(added.status == 0, "\(added)")
            }
            try await east.start()
            let rebuilt = (0..<8).map { "rebuilt\($0)" }
            for name in rebuilt { try await book.create(name, at: east, topics: ",east,") }
            try await center.waitUntilHolds(book, rebuilt)
            try await TreeSite.waitForConvergence(father: center, son: east, slice: "east")
        } catch {
            for site in sites.reversed() { await site.remove() }
            throw error
        }
        for site in sites.reversed() { await site.remove() }
    }

    /// A PostgreSQL site is not copied by `arbor backup`: the refusal says what to use instead.
    @Test(.enabled(if: TestStores.available.contains(.postgres)))
    func backingUpAPostgresSiteExplainsPgDump() async throws {
        let place = try TestStores.place(.postgres)
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-backup-\(UUID().uuidString).sqlite")
        let run = try await ArborCommand.run(["backup"] + ArborCommand.storeArguments(place, prefix: TestStores.randomPrefix()) + [target.path])
        #expect(run.status != 0)
        #expect(run.errors.contains("pg_dump") && run.errors.contains("arbor init --restored"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing is written")
    }
}
