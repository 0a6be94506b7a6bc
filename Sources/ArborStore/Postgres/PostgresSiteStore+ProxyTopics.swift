import ArborCore
import Foundation
import PostgresNIO

/// The dynamic topics of a proxy's subscription (selective distribution, §8.3).
extension PostgresSiteStore {
    public func proxyTopics() async throws(StoreError) -> [ProxyTopicRecord] {
        let rows = try await withConnection("reading proxy topics") { connection in
            try await connection.run("SELECT topic, last_used_us, is_active FROM \(unescaped: table("proxy_topics")) ORDER BY topic", logger: logger)
        }
        do {
            return try rows.map { row in
                let (topic, lastUsed, isActive) = try row.decode((String, Int64, Bool).self)
                return ProxyTopicRecord(topic: topic, lastUsedMicroseconds: lastUsed, isActive: isActive)
            }
        } catch {
            throw PostgresStoreErrors.map(error, "reading proxy topics", prefix: prefix)
        }
    }

    public func useProxyTopics(_ topics: Set<String>, atMicroseconds microseconds: Int64) async throws(StoreError) {
        guard !topics.isEmpty else { return }
        // Sorted, so concurrent uses lock rows in the same order.
        let sorted = topics.sorted()
        try await withConnection("recording proxy topic use") { connection in
            try await connection.run(
                """
                INSERT INTO \(unescaped: table("proxy_topics")) (topic, last_used_us, is_active)
                SELECT topic, \(microseconds), false FROM unnest(\(sorted)::text[]) AS topic
                ON CONFLICT (topic) DO UPDATE SET last_used_us = GREATEST(\(unescaped: table("proxy_topics")).last_used_us, EXCLUDED.last_used_us)
                """,
                logger: logger
            )
        }
    }

    public func activateProxyTopics(_ topics: Set<String>) async throws(StoreError) {
        guard !topics.isEmpty else { return }
        try await withConnection("activating proxy topics") { connection in
            try await connection.run(
                "UPDATE \(unescaped: table("proxy_topics")) SET is_active = true WHERE topic = ANY(\(Array(topics)))",
                logger: logger
            )
        }
    }

    @discardableResult
    public func removeProxyTopics(_ topics: Set<String>, unusedBefore cutoff: Int64) async throws(StoreError) -> Set<String> {
        guard !topics.isEmpty else { return [] }
        let rows = try await withConnection("removing proxy topics") { connection in
            try await connection.run(
                "DELETE FROM \(unescaped: table("proxy_topics")) WHERE topic = ANY(\(Array(topics))) AND last_used_us < \(cutoff) RETURNING topic",
                logger: logger
            )
        }
        do {
            return Set(try rows.map { try $0.decode(String.self) })
        } catch {
            throw PostgresStoreErrors.map(error, "removing proxy topics", prefix: prefix)
        }
    }
}
