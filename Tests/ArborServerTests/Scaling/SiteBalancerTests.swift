import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Logging
import Testing

/// Two processes' balancers on one database: announcements, then which requests are redirected.
@Suite struct SiteBalancerTests {
    let logger = Logger(label: "test.balancer", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Announcements stay fresh for 10 minutes here: these tests are about the redirect rule, and
    /// on a loaded machine more than the default 5 s can pass between two announcements and a
    /// request (staleness is tested on `LoadBalancingRule` itself).
    let rule = LoadBalancingRule(staleAfterMicroseconds: 600_000_000)

    @Test func anOverloadedServerSendsEdgesToTheIdlePeerUntilBothAreEven() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let busy = SiteBalancer(store: store, ownURL: "http://127.0.0.1:9001", isMaster: { true }, rule: rule, edgeIdleAfter: .seconds(600), logger: logger)
            let idle = SiteBalancer(store: store, ownURL: "http://127.0.0.1:9002", isMaster: { false }, rule: rule, edgeIdleAfter: .seconds(600), logger: logger)
            try await idle.announce()
            try await busy.announce()
            var redirected: [String: String] = [:]
            for client in ["a", "b", "c", "d"] {
                if let target = busy.noteRequest(clientId: client) { redirected[client] = target }
            }
            // a stays (1 vs 0); b would make 2 vs 0 → moves; c stays (2 vs 1); d would make 3 vs 1 → moves.
            #expect(redirected == ["b": "http://127.0.0.1:9002", "d": "http://127.0.0.1:9002"])
            #expect(busy.edgeCount == 2)
            #expect(busy.noteRequest(clientId: "a") == nil, "a client already counted here stays while the servers are even")

            let listed = try await store.siteServers()
            #expect(listed.map(\.url) == ["http://127.0.0.1:9001", "http://127.0.0.1:9002"])
            #expect(listed.map(\.isMaster) == [true, false])
        }
    }

    @Test func aServerWithoutAKnownURLNeitherAnnouncesNorRedirects() async throws {
        try await TestStores.withStore(.sqlite) { store in
            let unnamed = SiteBalancer(store: store, isMaster: { false }, rule: rule, edgeIdleAfter: .seconds(600), logger: logger)
            try await store.announceServer(SiteServerLoad(url: "http://127.0.0.1:9002", edges: 0, isMaster: true, seenMicroseconds: EntitiesSubsystem.systemMicroseconds()))
            try await unnamed.announce()
            for client in ["a", "b", "c"] { #expect(unnamed.noteRequest(clientId: client) == nil) }
            #expect(try await store.siteServers().count == 1)
            unnamed.listen(at: "http://127.0.0.1:9001")
            try await unnamed.announce()
            #expect(unnamed.noteRequest(clientId: "d") == "http://127.0.0.1:9002")
        }
    }
}
