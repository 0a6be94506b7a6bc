import ArborCore
import Foundation
import GRDB

/// `arbor backup` of an SQLite site: SQLite's online backup API (GRDB `backup(to:)`) copies
/// the database as of one read snapshot while the site's processes go on writing.
extension SQLiteSiteStore {
    /// What a backup wrote.
    public struct BackupReport: Sendable {
        /// The file written.
        public var path: String
        /// The last log sequence the copy holds.
        public var lastSequence: Int64
        /// Its size in bytes.
        public var bytes: Int64
    }

    /// Writes a consistent copy of this database to `path` and marks the copy as a restored
    /// copy (``SiteCounter/rejoinPending``), so a site served from it re-joins its father as a
    /// new incarnation instead of reusing positions its father has moved past. The copy is
    /// written next to `path` and renamed into place, so a failed backup never leaves a file
    /// that looks whole. Refuses (`.invalidInput`) an existing `path` unless `replacing`.
    public func backup(toPath path: String, replacing: Bool) async throws(StoreError) -> BackupReport {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        guard target.path != URL(fileURLWithPath: self.path).standardizedFileURL.path else {
            throw StoreError(.invalidInput, "the backup file must not be the site's own database \(self.path)")
        }
        if FileManager.default.fileExists(atPath: target.path), !replacing {
            throw StoreError(.invalidInput, "\(target.path) exists; choose another file or pass --force to replace it")
        }
        let directory = target.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw StoreError(.invalidInput, "the directory \(directory.path) does not exist")
        }
        let partial = directory.appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString)")
        let counters = prefix.table("site_counters"), log = prefix.table("delta_log")
        do {
            let copy = try DatabaseQueue(path: partial.path)
            try pool.backup(to: copy)
            let last = try await copy.write { db -> Int64 in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS \(counters) (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
                try db.execute(
                    sql: "INSERT INTO \(counters) (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = 1",
                    arguments: [SiteCounter.rejoinPending]
                )
                return try Int64.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM \(log)") ?? 0
            }
            try copy.close()
            if FileManager.default.fileExists(atPath: target.path) {
                _ = try FileManager.default.replaceItemAt(target, withItemAt: partial)
            } else {
                try FileManager.default.moveItem(at: partial, to: target)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.int64Value ?? 0
            return BackupReport(path: target.path, lastSequence: last, bytes: size)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw failure(error, while: "backing up to \(target.path)")
        }
    }
}
