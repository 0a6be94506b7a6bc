import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Testing

/// Issue 10 item 6: an acknowledged append is visible to every later fetch and load at the
/// site, at the process that took it and at another process of the site, however far behind
/// the log tails are (here they never read on their own: nothing runs in the background).
@Suite struct ReadYourWritesTests {
    static let rounds = 48

    @Test(arguments: TestStores.available)
    func aFetchRightAfterAnAppendSeesIt(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: []) { site in
            var position: Int64 = 0
            for n in 1...Self.rounds {
                let appended = try await site.append(at: site.first, try CustomerWrites.create(n, topics: "A"))
                let answer = try await site.first.delta.fetch(
                    client: nil, request: FetchRequest(fromSequence: position, slice: "A", registered: false, waitMilliseconds: 0))
                #expect(answer.sequence == appended, "round \(n): answered \(answer.sequence) after the append at \(appended)")
                #expect(answer.buffers.last?.deltas.map(\.techId) == [Fixtures.id(n)], "round \(n)")
                position = answer.sequence
            }
        }
    }

    @Test(arguments: TestStores.available)
    func aFetchAndALoadAtAnotherProcessSeeTheAppend(backend: TestStores.Backend) async throws {
        try await SiteProcessesHarness.with(backend, clients: ["e1"]) { site in
            var position: Int64 = 0
            for n in 1...Self.rounds {
                let writer = n % 2 == 0 ? site.first : site.second, reader = n % 2 == 0 ? site.second : site.first
                let appended = try await site.append(at: writer, try CustomerWrites.create(n, topics: "A"))
                let answer = try await reader.delta.fetch(
                    client: nil, request: FetchRequest(fromSequence: position, slice: "A", registered: false, waitMilliseconds: 0))
                #expect(answer.sequence == appended, "round \(n): answered \(answer.sequence) after the append at \(appended)")
                position = answer.sequence
            }
            let load = try await site.first.cache.fullLoad(client: site.first.cache.inProcessClient("e1"), slice: "A")
            #expect(load.sequence == position)
            #expect(Set(load.buffers.flatMap(\.deltas).map(\.techId)) == Set((1...Self.rounds).map { Fixtures.id($0) }))
            let last = try await site.append(at: site.second, try CustomerWrites.create(Self.rounds + 1, topics: "A"))
            let skipped = try await site.first.cache.skipLoad(client: site.first.cache.inProcessClient("e1"), slice: "A", lastSequence: last)
            #expect(skipped == last, "a SkipLoad to the position just written elsewhere is accepted")
        }
    }
}
