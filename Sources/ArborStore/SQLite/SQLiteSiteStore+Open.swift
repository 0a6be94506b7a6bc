import Foundation
import GRDB

extension SQLiteSiteStore {
    /// Opens the pool, waiting out other processes opening the same new file: several server
    /// processes of one site (`arbor@.service`) run `arbor init` at once, and switching a new
    /// file to WAL mode takes a lock SQLite's busy handler does not wait for, so the loser got
    /// "database is locked" at once. Busy and locked are retried for ``busyTimeout``.
    static func openPool(path: String, options: Configuration) async throws(StoreError) -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(busyTimeout)
        var pause = Duration.milliseconds(10)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: options)
                // GRDB's WAL set-up lowers `synchronous` to NORMAL after `prepareDatabase` ran;
                // a commit a son may already hold must survive a power loss, so FULL again.
                try await pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
                return pool
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && ContinuousClock.now < deadline {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(200))
            } catch {
                throw StoreError(
                    .unreachable,
                    "cannot open SQLite database at \(path): check that the directory exists and is writable (\(describe(error)))",
                    underlying: error
                )
            }
        }
    }
}
