import ArborCore
import ArborStore
import Foundation

extension StoreConformance {
    static let proxyTopicChecks: [Check] = [
        Check(name: "proxy topics: requested, used without moving back, activated, removed only when unused") { backend in
            try await TestStores.withStore(backend) { store in
                try require(try await store.proxyTopics().isEmpty, "a new store has proxy topics")
                try await store.useProxyTopics(["stock", "orders"], atMicroseconds: 1_000)
                var rows = try await store.proxyTopics()
                try require(
                    rows == [
                        ProxyTopicRecord(topic: "orders", lastUsedMicroseconds: 1_000, isActive: false),
                        ProxyTopicRecord(topic: "stock", lastUsedMicroseconds: 1_000, isActive: false),
                    ],
                    "requested topics: \(rows)"
                )
                try await store.activateProxyTopics(["orders", "unknown"])
                try await store.useProxyTopics(["orders"], atMicroseconds: 5_000)
                try await store.useProxyTopics(["orders"], atMicroseconds: 3_000)
                rows = try await store.proxyTopics()
                try require(
                    rows.first == ProxyTopicRecord(topic: "orders", lastUsedMicroseconds: 5_000, isActive: true),
                    "activation or last use wrong: \(rows)"
                )
                try require(rows.count == 2, "activating an unknown topic added a row: \(rows)")
                // "orders" was used at 5000, after the cutoff: it stays.
                let removed = try await store.removeProxyTopics(["orders", "stock"], unusedBefore: 4_000)
                try require(removed == ["stock"], "removed \(removed)")
                rows = try await store.proxyTopics()
                try require(rows.map(\.topic) == ["orders"], "after removal: \(rows)")
                try require(try await store.removeProxyTopics([], unusedBefore: 9_000).isEmpty, "removing nothing removed something")
            }
        }
    ]
}
