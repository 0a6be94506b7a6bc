import ArborCore
import ArborStore
import ArborTesting
import Foundation
import Logging
import Testing

/// The first commands an operator types: only `arbor init` creates a database, the others
/// refuse a missing SQLite file (and create none) or a database without Arbor tables.
@Suite(.heavy) struct FirstStepsCommandTests {
    /// Every command but `init` that opens a site's database, with the arguments it needs besides `--db`.
    static let databaseCommands: [[String]] = [
        ["clients", "list"], ["clients", "add", "shop"], ["clients", "disable", "shop"], ["servers"], ["servers", "--json"],
        ["tail"], ["schema", "show"], ["schema", "apply"], ["self-check"],
    ]

    private static func missingPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mistyped-\(UUID().uuidString)/site.sqlite").path
    }

    @Test func everyCommandButInitRefusesAMissingSQLiteFileAndCreatesNone() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-mistyped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sites.sqlite").path
        let backupFile = directory.appendingPathComponent("copy.sqlite").path
        let commands = Self.databaseCommands + [["backup", backupFile]]
        for command in commands {
            let run = try await ArborCommand.run(command + ["--db", "sqlite:\(path)"])
            #expect(run.status != 0, "\(command): \(run)")
            // self-check reports on stdout (FAIL lines), the others on stderr.
            let said = run.errors + run.output
            #expect(said.contains("no SQLite database at '\(path)'") && said.contains("arbor init"), "\(command): \(run)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(command) created the database file")
        }
        #expect(!FileManager.default.fileExists(atPath: backupFile))
        // Serve too: it exits before listening.
        let serve = try await ArborCommand.run(["serve", "--db", "sqlite:\(path)", "--plain-http", "--port", "0"], terminateAfter: .seconds(60))
        #expect(serve.status != 0, "\(serve)")
        #expect(serve.errors.contains("no SQLite database at '\(path)'"), "\(serve)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no file (database, WAL, lock) was created")
    }

    @Test func initCreatesTheDatabaseAndTheOthersThenUseIt() async throws {
        let path = Self.missingPath()
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let initialized = try await ArborCommand.run(["init", "--db", "sqlite:\(path)"])
        #expect(initialized.status == 0, "\(initialized)")
        let listed = try await ArborCommand.run(["clients", "list", "--db", "sqlite:\(path)"])
        #expect(listed.status == 0 && listed.output.contains("0 clients"), "\(listed)")
        let checked = try await ArborCommand.run(["self-check", "--db", "sqlite:\(path)"])
        #expect(checked.status == 0, "\(checked)")
        #expect(checked.output.contains("ok    arbor tables: prefix 'arbor_', stored schema 'retail-v1'"), "\(checked)")
    }

    @Test(arguments: TestStores.available)
    func aDatabaseWithoutArborTablesIsRefusedAndLeftUninstalled(backend: TestStores.Backend) async throws {
        // A database installed with another prefix: with --prefix mistyped it holds no Arbor tables.
        let place = try TestStores.place(backend)
        let installed = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        let other = TestStores.randomPrefix()
        let backupFile = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-copy-\(UUID().uuidString).sqlite").path
        // `backup` refuses PostgreSQL sites before it looks at the tables.
        for command in Self.databaseCommands + (backend == .sqlite ? [["backup", backupFile]] : []) {
            let run = try await ArborCommand.run(command + ArborCommand.storeArguments(place, prefix: other))
            #expect(run.status != 0, "\(command): \(run)")
            let said = run.errors + run.output
            #expect(said.contains("holds no Arbor tables with prefix '\(other.value)'") && said.contains("arbor init"), "\(command): \(run)")
        }
        #expect(!FileManager.default.fileExists(atPath: backupFile))
        let probe = try await SiteStores.open(
            StoreConfiguration(location: place.location, schema: Fixtures.retailSchema, prefix: other, siteName: "center"),
            logger: Logger(label: "arbor.test.probe", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        #expect(try await probe.storedSchema() == nil, "nothing was installed with the mistyped prefix")
        await #expect(throws: StoreError.self, "no clients table was created") { try await probe.clients() }
        await probe.close()
        await TestStores.remove(installed, place)
    }

    @Test func selfCheckFailsOnADatabaseWithoutArborTables() async throws {
        let place = try TestStores.place(.sqlite)
        let installed = try await TestStores.open(place, prefix: TestStores.randomPrefix())
        let run = try await ArborCommand.run(["self-check"] + ArborCommand.storeArguments(place, prefix: TestStores.randomPrefix()))
        #expect(run.status == 1, "\(run)")
        #expect(run.output.contains("FAIL  arbor tables") && run.output.contains("holds no Arbor tables"), "\(run)")
        #expect(run.output.contains("self-check FAILED"), "\(run)")
        await TestStores.remove(installed, place)
    }

    @Test func versionIsPrintedWithStatusZero() async throws {
        for arguments in [["--version"], ["version"]] {
            let run = try await ArborCommand.run(arguments)
            #expect(run.status == 0, "\(arguments): \(run)")
            #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == ArborVersion.line, "\(arguments): \(run)")
        }
        #expect(ArborVersion.line.contains(ArborVersion.current) && ArborVersion.line.contains("protocol \(ArborProtocol.version)"))
    }

    @Test(.heavy(timeLimit: .seconds(180))) func selfCheckAsksTheConfiguredFatherForItsStatus() async throws {
        let centerPlace = try TestStores.place(.sqlite), sonPlace = try TestStores.place(.sqlite)
        let centerStore = try await TestStores.open(centerPlace, prefix: TestStores.randomPrefix())
        let sonStore = try await TestStores.open(sonPlace, prefix: TestStores.randomPrefix(), siteName: "east")
        let center = try await ServeProcess.start(["--db", centerPlace.databaseURL, "--prefix", centerStore.prefix.value])
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-son-\(UUID().uuidString).json")
        func check(father: String) async throws -> ArborCommand.Run {
            let json = #"{"database": "\#(sonPlace.databaseURL)", "tablePrefix": "\#(sonStore.prefix.value)", "site": "east", "plainHTTP": true, "fatherServers": ["\#(father)"], "fatherClientId": "east"}"#
            try Data(json.utf8).write(to: config)
            return try await ArborCommand.run(["self-check", "--config", config.path])
        }
        let up = try await check(father: center.baseURL)
        let dead = try await check(father: "http://127.0.0.1:1")
        _ = await center.stop()
        try? FileManager.default.removeItem(at: config)
        await TestStores.remove(centerStore, centerPlace)
        await TestStores.remove(sonStore, sonPlace)

        #expect(up.status == 0, "\(up)")
        #expect(up.output.contains("ok    father status: \(center.baseURL)/arbor/1/delta is up: site 'center'"), "\(up)")
        #expect(up.output.contains("ok    arbor tables: prefix '\(sonStore.prefix.value)'"), "\(up)")
        #expect(dead.status == 1, "\(dead)")
        #expect(dead.output.contains("FAIL  father status: http://127.0.0.1:1/arbor/1/delta did not answer"), "\(dead)")
    }
}
