import ArborStore
import Foundation

/// The checks every command but `arbor init` makes before it uses a site's database: only
/// `init` creates one, so a mistyped SQLite path is refused instead of becoming a new, empty file.
enum SiteDatabaseCheck {
    /// Refuses a `sqlite:` location whose file does not exist, before anything opens it (opening
    /// would create it). `source` names where the location came from (`--db`, `--son-db`, …).
    static func requireExistingFile(_ location: DatabaseLocation, source: String = "--db") throws(CommandFailure) {
        guard case .sqlite(let path) = location else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure(
                "no SQLite database at '\(path)' (named by \(source)): check the path, or run `arbor init` with the same database and --prefix first to create the site's database (only `arbor init` creates one)"
            )
        }
        guard !isDirectory.boolValue else {
            throw CommandFailure("'\(path)' (named by \(source)) is a directory, not a SQLite database: name the database file")
        }
    }

    /// Refuses a database that holds no Arbor tables with the store's prefix (nothing is
    /// installed there: only `arbor init` installs them). Returns the stored schema.
    static func requireInstalled(_ site: any SiteStore, at location: DatabaseLocation, source: String = "--db") async throws -> StoredSchema {
        let stored: StoredSchema?
        do { stored = try await site.storedSchema() } catch {
            throw CommandFailure("cannot read the Arbor tables of \(location): \(error.message)")
        }
        guard let stored else {
            throw CommandFailure(
                "\(location) (named by \(source)) holds no Arbor tables with prefix '\(site.prefix)': check the database and --prefix, or run `arbor init` with them first to install the tables"
            )
        }
        return stored
    }
}
