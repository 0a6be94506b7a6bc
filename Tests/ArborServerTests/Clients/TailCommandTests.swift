import ArborCore
import ArborServer
import ArborStore
import ArborTesting
import Foundation
import Testing

/// `arbor tail` end to end: the real executable prints a site's log as JSON lines.
@Suite(.heavy) struct TailCommandTests {
    @Test(arguments: TestStores.available)
    func printsTheLogAndOneEntitysHistory(backend: TestStores.Backend) async throws {
        let place = try TestStores.place(backend)
        let prefix = TestStores.randomPrefix()
        let store = try await TestStores.open(place, prefix: prefix)
        do {
            let entities = EntitiesSubsystem(store: store)
            for n in 1...3 {
                try await entities.write([EntityWrite(.create(inCache: true), entityClass: "Customer", techId: Fixtures.id(n),
                                                      topics: try TopicsList(parsing: ",A,"), fields: ["name": .text("c\(n)"), "vip": .bool(false)])])
            }
            try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(2), fields: ["name": .text("renamed")])])
            let store = ArborCommand.storeArguments(place, prefix: prefix)

            let all = try await ArborCommand.run(["tail", "--after", "0", "--json"] + store)
            #expect(all.status == 0, "\(all)")
            let lines = all.output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.compactMap { $0?["sequence"] as? Int } == [1, 2, 3, 4], "\(all)")

            let one = try await ArborCommand.run(["tail", "--after", "0", "--json", "--entity", Fixtures.id(2).uuidString] + store)
            #expect(one.status == 0, "\(one)")
            let history = one.output.split(separator: "\n")
            #expect(history.count == 2 && history.allSatisfy { $0.contains(Fixtures.id(2).uuidString) }, "\(one)")
            #expect(!one.output.contains(Fixtures.id(1).uuidString) && one.output.contains("renamed"), "\(one)")

            // Readable lines: one per delta (a create is one CREATE; the update a PARTIAL and a FULL).
            let readable = try await ArborCommand.run(["tail", "--after", "0", "--entity", Fixtures.id(2).uuidString] + store)
            let deltaLines = readable.output.split(separator: "\n")
            #expect(deltaLines.count == 3 && deltaLines[0].hasPrefix("2 center CREATE Customer \(Fixtures.id(2).uuidString) ,#arbor.father,A,"), "\(readable)")
            #expect(deltaLines.dropFirst().allSatisfy { $0.contains("name=\"renamed\"@") }, "\(readable)")
            let bySlice = try await ArborCommand.run(["tail", "--after", "0", "--slice", "B"] + store)
            #expect(bySlice.status == 0 && bySlice.output.isEmpty, "no delta carries B: \(bySlice)")
            let badSlice = try await ArborCommand.run(["tail", "--slice", "A+"] + store)
            #expect(badSlice.status != 0 && badSlice.errors.contains("--slice"), "\(badSlice)")

            let wrong = try await ArborCommand.run(["tail", "--entity", "not-an-id"] + store)
            #expect(wrong.status != 0 && wrong.errors.contains("is not a tech-id"), "\(wrong)")
        } catch {
            await TestStores.remove(store, place)
            throw error
        }
        await TestStores.remove(store, place)
    }
}
