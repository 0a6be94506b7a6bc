import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Testing

/// The fetch long poll: it returns when a write commits, after its wait, or when cancelled.
@Suite struct DeltaServerLongPollTests {
    @Test(arguments: TestStores.available)
    func aWaitingFetchReturnsWhenAWriteCommits(backend: TestStores.Backend) async throws {
        // A two-minute wait, so "woken by the commit" (bounded from the commit, with room for a
        // loaded machine) cannot be confused with "the wait ran out".
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(maximumWait: .seconds(120))) { site in
            let tail = Task { try await site.context.logTail.run() }
            defer { tail.cancel() }
            let clock = ContinuousClock()
            let fetch = Task { try await site.fetch(nil, from: 0, slice: "A", registered: false, waitMilliseconds: 120_000) }
            try await Task.sleep(for: .milliseconds(200))
            // The service reads the log; no catchUp here.
            _ = try await site.server.append([Samples.customerCreate(id: Fixtures.id(1))], client: .local)
            let committed = clock.now
            let answer = try await fetch.value
            let elapsed = clock.now - committed
            #expect(answer.delivered == ["CREATE@1"])
            #expect(answer.sequence == 1)
            #expect(elapsed < .seconds(60), "returned \(elapsed) after the commit, the wait was 120 s")
        }
    }

    @Test(arguments: TestStores.available)
    func aFetchThatSeesOnlyOthersDeltasKeepsWaiting(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend) { site in
            let fetch = Task { try await site.fetch(nil, from: 0, slice: "A", registered: false, waitMilliseconds: 20_000) }
            try await Task.sleep(for: .milliseconds(100))
            try await site.createCustomer(1, topics: "B")
            try await Task.sleep(for: .milliseconds(100))
            try await site.createCustomer(2, topics: "A")
            let answer = try await fetch.value
            #expect(answer.delivered == ["CREATE@2"])
            #expect(answer.sequence == 2)
        }
    }

    @Test(arguments: TestStores.available)
    func aFetchWithNothingNewReturnsEmptyAfterItsWait(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, clients: ["b1"]) { site in
            let created = try await site.createCustomer(1, topics: "A")
            _ = try await site.registered("b1")
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await site.fetch("b1", from: created, slice: "A", waitMilliseconds: 300)
            let elapsed = clock.now - start
            #expect(answer.buffers.isEmpty)
            #expect(answer.sequence == created)
            #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(10), "returned after \(elapsed)")
            // Skipped transactions still advance the client when the wait ends.
            try await site.createCustomer(2, topics: "B")
            let skipped = try await site.fetch("b1", from: created, slice: "A", waitMilliseconds: 100)
            #expect(skipped.buffers.isEmpty)
            #expect(skipped.sequence == created + 1)
        }
    }

    @Test(arguments: TestStores.available)
    func theSettingsCapTheWait(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(maximumWait: .milliseconds(200))) { site in
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await site.fetch(nil, from: 0, slice: "A", registered: false, waitMilliseconds: 60_000)
            #expect(answer == DeltaBatch(buffers: [], sequence: 0))
            // The cap is 200 ms, the asked wait 60 s: 30 s tells them apart on a loaded machine.
            #expect(clock.now - start < .seconds(30))
        }
    }

    @Test(arguments: TestStores.available)
    func cancellingTheTaskEndsTheWaitPromptly(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(maximumWait: .seconds(120))) { site in
            let clock = ContinuousClock()
            let fetch = Task { try await site.fetch(nil, from: 0, slice: "A", registered: false, waitMilliseconds: 120_000) }
            try await Task.sleep(for: .milliseconds(200))
            let cancelled = clock.now
            fetch.cancel()
            let answer = try await fetch.value
            #expect(answer == DeltaBatch(buffers: [], sequence: 0))
            #expect(clock.now - cancelled < .seconds(60), "the 120 s wait outlived its cancellation")
        }
    }

    @Test(arguments: TestStores.available)
    func aLongBacklogIsServedInAnswersOfTheConfiguredSize(backend: TestStores.Backend) async throws {
        try await DeltaServerHarness.with(backend, settings: SiteServerSettings(maximumBuffersPerAnswer: 2)) { site in
            for n in 1...5 { try await site.createCustomer(n, topics: n == 5 ? "A" : "B") }
            // Two transactions per answer: the client advances over skipped ones without waiting.
            var sequence: Int64 = 0
            var delivered: [String] = []
            for _ in 0..<3 {
                let answer = try await site.fetch(nil, from: sequence, slice: "A", registered: false, waitMilliseconds: 10_000)
                delivered += answer.delivered
                #expect(answer.sequence == min(sequence + 2, 5))
                sequence = answer.sequence
            }
            #expect(delivered == ["CREATE@5"])
        }
    }
}
