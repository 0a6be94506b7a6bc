@testable import arbor
import ArborServer
import ArborStore
import Foundation
import Testing

/// Where an admin command's database and password come from, and the errors when a source
/// is missing or two disagree.
@Suite struct SiteDatabaseSourcesTests {
    private func resolve(
        _ flags: SiteDatabaseSources.Flags = .init(), environment: [String: String] = [:], config: String? = nil
    ) throws(ServeConfigurationError) -> SiteDatabaseSettings {
        try SiteDatabaseSources(flags: flags, environment: environment, configFile: config.map { ("site.json", Data($0.utf8)) }).resolved()
    }

    private func failure(
        _ flags: SiteDatabaseSources.Flags = .init(), environment: [String: String] = [:], config: String? = nil
    ) -> String {
        do {
            let settings = try resolve(flags, environment: environment, config: config)
            return "resolved to \(settings.location)"
        } catch {
            return error.description
        }
    }

    @Test func eachSourceNamesTheDatabase() throws {
        let url = "postgres://arbor@db.example:5432/center"
        #expect(try resolve(.init(database: url)).databaseSource == "--db")
        #expect(try resolve(environment: ["ARBOR_DATABASE_URL": url]).databaseSource == "ARBOR_DATABASE_URL")
        let fromFile = try resolve(config: #"{"database": "\#(url)", "tablePrefix": "b7_", "site": "branch-7", "port": 9000}"#)
        #expect(fromFile.databaseSource == "site.json: 'database'")
        #expect(fromFile.location == (try DatabaseLocation(parsing: url)))
        #expect(fromFile.prefix.value == "b7_" && fromFile.siteName == "branch-7")
        let defaults = try resolve(.init(database: "sqlite:/tmp/x.sqlite"))
        #expect(defaults.prefix == .standard && defaults.siteName == "center" && defaults.schemaFile == nil && defaults.passwordOrigin == nil)
    }

    @Test func aMissingDatabaseNamesEverySource() {
        #expect(failure().contains("no database: give --db, set ARBOR_DATABASE_URL, or --config"))
        #expect(failure(config: #"{"site": "b"}"#).contains("no database"))
    }

    @Test func sourcesThatDisagreeAreRefusedAndOnesThatAgreeAreNot() throws {
        let message = failure(.init(database: "sqlite:/tmp/a.sqlite"), environment: ["ARBOR_DATABASE_URL": "sqlite:/tmp/b.sqlite"])
        #expect(message.contains("the database is given twice, differently: ARBOR_DATABASE_URL names sqlite:/tmp/b.sqlite, --db names sqlite:/tmp/a.sqlite"), "\(message)")
        let prefix = failure(.init(database: "sqlite:/tmp/a.sqlite", tablePrefix: "arbor_"), config: #"{"tablePrefix": "b7_"}"#)
        #expect(prefix.contains("tablePrefix is given twice, differently: site.json: 'tablePrefix' says 'b7_', --prefix says 'arbor_'"), "\(prefix)")
        #expect(failure(.init(database: "sqlite:/tmp/a.sqlite", site: "shop"), environment: ["ARBOR_SITE": "center"]).contains("site is given twice"))

        // The same database twice, once with its password: the password is kept.
        let same = try resolve(
            .init(database: "postgres://arbor@h:5432/d"), environment: ["ARBOR_DATABASE_URL": "postgres://arbor:pw@h:5432/d"]
        )
        #expect(same.location.password == "pw" && same.passwordOrigin == .url)
        let twoPasswords = failure(.init(database: "postgres://arbor:one@h/d"), environment: ["ARBOR_DATABASE_URL": "postgres://arbor:two@h/d"])
        #expect(twoPasswords.contains("give the database different passwords"), "\(twoPasswords)")
        #expect(!twoPasswords.contains("one") && !twoPasswords.contains("two"), "no password in messages: \(twoPasswords)")
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = FileManager.default.createFile(
            atPath: directory.appendingPathComponent(".pgpass").path, contents: Data("other:5432:*:*:no\nh:5432:d:arbor:from-file\n".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        let home = ["HOME": directory.path]
        let url = SiteDatabaseSources.Flags(database: "postgres://arbor@h:5432/d")

        let fromFile = try resolve(url, environment: home)
        #expect(fromFile.location.password == "from-file")
        #expect(fromFile.passwordOrigin == .passwordFile(path: directory.appendingPathComponent(".pgpass").path, line: 2))
        let fromEnvironment = try resolve(url, environment: home.merging(["PGPASSWORD": "from-env"]) { $1 })
        #expect(fromEnvironment.location.password == "from-env" && fromEnvironment.passwordOrigin == .environment)
        let fromURL = try resolve(.init(database: "postgres://arbor:from-url@h:5432/d"), environment: home)
        #expect(fromURL.location.password == "from-url" && fromURL.passwordOrigin == .url)
        #expect(fromURL.warnings.first?.contains("the password in --db can be read by other users") == true)
        #expect(try resolve(environment: home.merging(["ARBOR_DATABASE_URL": "postgres://arbor:from-url@h:5432/d"]) { $1 }).warnings.isEmpty)
        let none = try resolve(.init(database: "postgres://nobody@h:5432/d"), environment: home)
        #expect(none.location.password == nil && none.passwordOrigin == .notGiven)

        let contradiction = failure(.init(database: "postgres://arbor:from-url@h:5432/d"), environment: ["PGPASSWORD": "other"])
        #expect(contradiction.contains("the PostgreSQL password is given twice, differently: in the database URL (--db) and in PGPASSWORD"), "\(contradiction)")
        let missing = failure(url, environment: ["PGPASSFILE": directory.appendingPathComponent("absent").path])
        #expect(missing.contains("(PGPASSFILE) does not exist"), "\(missing)")
        let explicit = try resolve(url, environment: ["PGPASSFILE": directory.appendingPathComponent(".pgpass").path, "HOME": "/nonexistent"])
        #expect(explicit.location.password == "from-file")
    }
}
