import ArborCore
import PostgresNIO

extension PostgresSiteStore {
    public func masterLock() -> any MasterLock {
        PostgresMasterLock(configuration: connectionConfiguration, key: PostgresLockKey.master(prefix: prefix), logger: logger)
    }

    public func announceServer(_ load: SiteServerLoad) async throws(StoreError) {
        try await withConnection("announcing this server") { connection in
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("site_servers")) (url, edges, is_master, seen_us)
                VALUES (\(load.url), \(load.edges), \(load.isMaster), \(load.seenMicroseconds))
                ON CONFLICT (url) DO UPDATE SET edges = EXCLUDED.edges, is_master = EXCLUDED.is_master, seen_us = EXCLUDED.seen_us
                """,
                logger: logger
            )
        }
    }

    public func siteServers() async throws(StoreError) -> [SiteServerLoad] {
        let rows = try await withConnection("reading the site's servers") { connection in
            try await connection.run("SELECT url, edges, is_master, seen_us FROM \(unescaped: table("site_servers")) ORDER BY url", logger: logger)
        }
        do {
            return try rows.map { row in
                let (url, edges, isMaster, seen) = try row.decode((String, Int, Bool, Int64).self)
                return SiteServerLoad(url: url, edges: edges, isMaster: isMaster, seenMicroseconds: seen)
            }
        } catch {
            throw PostgresStoreErrors.map(error, "reading the site's servers", prefix: prefix)
        }
    }

    public func withdrawServer(url: String) async throws(StoreError) {
        try await withConnection("withdrawing this server") { connection in
            try await connection.run("DELETE FROM \(unescaped: table("site_servers")) WHERE url = \(url)", logger: logger)
        }
    }
}
