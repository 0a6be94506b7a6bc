import ArborCore
import GRDB

extension SQLiteSiteStore {
    var siteServersTable: String { prefix.table("site_servers") }

    public func masterLock() -> any MasterLock {
        SQLiteMasterLock(path: "\(path).\(prefix.value)master.lock")
    }

    public func announceServer(_ load: SiteServerLoad) async throws(StoreError) {
        try await writing("announcing this server") { [siteServersTable] db in
            try db.execute(
                sql: """
                    INSERT INTO \(siteServersTable) (url, edges, is_master, seen_us) VALUES (?, ?, ?, ?)
                    ON CONFLICT (url) DO UPDATE SET edges = excluded.edges, is_master = excluded.is_master, seen_us = excluded.seen_us
                    """,
                arguments: [load.url, load.edges, load.isMaster ? 1 : 0, load.seenMicroseconds]
            )
        }
    }

    public func siteServers() async throws(StoreError) -> [SiteServerLoad] {
        try await reading("reading the site's servers") { [siteServersTable] db in
            try Row.fetchAll(db, sql: "SELECT url, edges, is_master, seen_us FROM \(siteServersTable) ORDER BY url").map { row in
                SiteServerLoad(url: row["url"], edges: row["edges"], isMaster: (row["is_master"] as Int64) != 0, seenMicroseconds: row["seen_us"])
            }
        }
    }

    public func withdrawServer(url: String) async throws(StoreError) {
        try await writing("withdrawing this server") { [siteServersTable] db in
            try db.execute(sql: "DELETE FROM \(siteServersTable) WHERE url = ?", arguments: [url])
        }
    }
}
