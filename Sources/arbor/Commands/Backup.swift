import ArborServer
import ArborStore
import ArgumentParser
import Foundation

/// `arbor backup`: a consistent copy of a serving SQLite site (see `Docs/operator-guide.md`,
/// "Back up and restore a site").
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a (serving) SQLite site's database consistently to a file, with SQLite's online backup.",
        discussion: """
        The copy holds the database as of one moment while the site goes on serving. It is marked \
        as a restored copy: a site served from it re-joins its father as a new incarnation, uploads \
        its log again and reloads what it lost, so writes made after the restore reach the father. \
        A PostgreSQL site is backed up with pg_dump or the operator's PostgreSQL backups instead.
        """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The file to write the copy to.")
    var file: String

    @Flag(name: .long, help: "Replace the file when it exists.")
    var force = false

    func run() async throws {
        let resolved = try store.configuration()
        let location = resolved.store.location
        if case .postgres = location {
            throw CommandFailure(
                """
                arbor backup copies SQLite sites only; \(location) is PostgreSQL. \
                Back it up with pg_dump (or your PostgreSQL backups, e.g. base backups with WAL archiving), \
                and after restoring one run `arbor init --restored` with the site's --db and --prefix before `arbor serve`
                """
            )
        }
        guard force || !FileManager.default.fileExists(atPath: file) else {
            throw CommandFailure("\(file) exists; choose another file or pass --force to replace it")
        }
        let site = try await store.open(resolved).site
        guard let sqlite = site as? SQLiteSiteStore else {
            await site.close()
            throw CommandFailure("arbor backup copies SQLite sites only")
        }
        let report: SQLiteSiteStore.BackupReport
        do {
            guard try await site.storedSchema() != nil else {
                throw StoreError(.notFound, "\(location) holds no Arbor tables with prefix '\(site.prefix)': check --db and --prefix")
            }
            report = try await sqlite.backup(toPath: file, replacing: force)
        } catch let error as StoreError {
            await site.close()
            throw CommandFailure("backup failed: \(error.message)")
        }
        await site.close()
        print("backed up \(location) (prefix '\(site.prefix)') to \(report.path): \(report.bytes) bytes, log through sequence \(report.lastSequence); restore it only while the site is stopped (see the operator guide)")
    }
}
