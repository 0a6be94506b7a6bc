import ArborCore
import Foundation
import GRDB

/// The dynamic topics of a proxy's subscription (selective distribution, §8.3).
extension SQLiteSiteStore {
    var proxyTopicsTable: String { prefix.table("proxy_topics") }

    public func proxyTopics() async throws(StoreError) -> [ProxyTopicRecord] {
        try await reading("reading proxy topics") { [proxyTopicsTable] db in
            try Row.fetchAll(db, sql: "SELECT topic, last_used_us, is_active FROM \(proxyTopicsTable) ORDER BY topic").map { row in
                ProxyTopicRecord(topic: row["topic"], lastUsedMicroseconds: row["last_used_us"], isActive: row["is_active"])
            }
        }
    }

    public func useProxyTopics(_ topics: Set<String>, atMicroseconds microseconds: Int64) async throws(StoreError) {
        guard !topics.isEmpty else { return }
        try await writing("recording proxy topic use") { [proxyTopicsTable] db in
            for topic in topics.sorted() {
                try db.execute(
                    sql: """
                    INSERT INTO \(proxyTopicsTable) (topic, last_used_us, is_active) VALUES (?, ?, 0)
                    ON CONFLICT (topic) DO UPDATE SET last_used_us = max(last_used_us, excluded.last_used_us)
                    """,
                    arguments: [topic, microseconds]
                )
            }
        }
    }

    public func activateProxyTopics(_ topics: Set<String>) async throws(StoreError) {
        guard !topics.isEmpty else { return }
        try await writing("activating proxy topics") { [proxyTopicsTable] db in
            for topic in topics {
                try db.execute(sql: "UPDATE \(proxyTopicsTable) SET is_active = 1 WHERE topic = ?", arguments: [topic])
            }
        }
    }

    @discardableResult
    public func removeProxyTopics(_ topics: Set<String>, unusedBefore cutoff: Int64) async throws(StoreError) -> Set<String> {
        guard !topics.isEmpty else { return [] }
        return try await writing("removing proxy topics") { [proxyTopicsTable] db in
            var removed = Set<String>()
            for topic in topics {
                try db.execute(sql: "DELETE FROM \(proxyTopicsTable) WHERE topic = ? AND last_used_us < ?", arguments: [topic, cutoff])
                if db.changesCount > 0 { removed.insert(topic) }
            }
            return removed
        }
    }
}
