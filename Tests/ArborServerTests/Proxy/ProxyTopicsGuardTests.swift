import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// A proxy's delta and cache servers with selective distribution (§8.3), in process: the
/// father-side changes are played by writing the proxy topics directly.
@Suite struct ProxyTopicsGuardTests {
    private static func settings(life: Duration = .seconds(600), timeout: Duration = .seconds(20)) -> SiteServerSettings {
        var settings = SiteServerSettings()
        settings.selectiveDistribution = SelectiveDistributionSettings(
            fixedTopics: ["all-branches"], unusedTopicsLife: life, activationTimeout: timeout, activationPollInterval: .milliseconds(20)
        )
        return settings
    }

    @Test(arguments: TestStores.available)
    func aFetchUsingATopicTheProxyDoesNotReceiveIsRefused(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: Self.settings(), clients: ["edge-1"]) { site in
            try await site.createCustomer(1, topics: "all-branches")
            let fixed = try await site.fetch("edge-1", from: 0, slice: "all-branches", registered: false)
            #expect(fixed.delivered == ["CREATE@1"])
            #expect(try await site.fetch("edge-1", from: 0, slice: ProxySlice.nothingTopic, registered: false).buffers.isEmpty, "site topics need no proxy topic")

            let refused = await serverError { try await site.fetch("edge-1", from: 0, slice: "all-branches+east*!archived", registered: false) }
            #expect(refused?.code == .topicNotInProxySlice)
            #expect(refused?.code.httpStatus == 409)
            #expect(refused?.message.contains("archived, east") == true, "\(String(describing: refused))")

            // Requested is not enough: the father link must have made the topic active.
            try await site.store.useProxyTopics(["east", "archived"], atMicroseconds: EntitiesSubsystem.systemMicroseconds())
            let stillRefused = await serverError { try await site.fetch("edge-1", from: 0, slice: "all-branches+east*!archived", registered: false) }
            #expect(stillRefused?.code == .topicNotInProxySlice)

            try await site.store.activateProxyTopics(["east", "archived"])
            let served = try await site.fetch("edge-1", from: 0, slice: "all-branches+east*!archived", registered: false)
            #expect(served.delivered == ["CREATE@1"])
        }
    }

    @Test(arguments: TestStores.available)
    func fetchesRecordTheirUseOfDynamicTopicsInBatches(backend: TestStores.Backend) async throws {
        // A 0.4 s life writes uses every 0.1 s.
        try await DeltaServerHarness.with(backend, settings: Self.settings(life: .milliseconds(400)), clients: ["edge-1"]) { site in
            try await site.store.useProxyTopics(["east"], atMicroseconds: 1)
            try await site.store.activateProxyTopics(["east"])
            let before = EntitiesSubsystem.systemMicroseconds()
            _ = try await site.fetch("edge-1", from: 0, slice: "east+all-branches", registered: false)
            try await Task.sleep(for: .milliseconds(150))
            _ = try await site.fetch("edge-1", from: 0, slice: "east+all-branches", registered: false)
            let rows = try await site.store.proxyTopics()
            #expect(rows.map(\.topic) == ["east"], "fixed topics are not recorded: \(rows)")
            #expect((rows.first?.lastUsedMicroseconds ?? 0) >= before)
        }
    }

    @Test(arguments: TestStores.available)
    func aLoadRequestsItsTopicsAndWaitsUntilTheyAreReceived(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: Self.settings(), clients: ["edge-1"]) { site in
            let guardian = try #require(site.context.proxyTopics)
            let store = site.store
            let slice = try TopicsSlice(parsing: "west*all-branches")
            let activator = Task {
                // Plays the father link: waits for the request, then activates it.
                while try await store.proxyTopics().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                try await store.activateProxyTopics(["west"])
            }
            try await guardian.awaitTopics(of: slice)
            try await activator.value
            let rows = try await store.proxyTopics()
            #expect(rows.map(\.topic) == ["west"] && rows.allSatisfy(\.isActive), "\(rows)")
        }
    }

    @Test(arguments: TestStores.available)
    func aLoadWhoseTopicsNeverArriveFailsWithUnavailable(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: Self.settings(timeout: .milliseconds(300)), clients: ["edge-1"]) { site in
            let guardian = try #require(site.context.proxyTopics)
            let error = await serverError { try await guardian.awaitTopics(of: try TopicsSlice(parsing: "north")) }
            #expect(error?.code == .unavailable)
            #expect(error?.code.httpStatus == 503)
            #expect(error?.message.contains("north") == true, "\(String(describing: error))")
            #expect(try await site.store.proxyTopics().map(\.topic) == ["north"], "the topic stays requested for the father link")
            // Fixed topics need no waiting.
            try await guardian.awaitTopics(of: try TopicsSlice(parsing: "all-branches"))
        }
    }
}
