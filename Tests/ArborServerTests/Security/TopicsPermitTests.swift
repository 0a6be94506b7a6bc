import ArborCore
import ArborServer
import ArborStore
import Foundation
import Testing

/// The reference `TopicsPermit` plug: a client may name only its listed topics, and write only
/// entities whose topics are all among its write topics (issue 11 item 2).
@Suite struct TopicsPermitTests {
    let permit = TopicsPermit(["shop": ["A", "B"], "kiosk": []])

    func slice(_ text: String) throws -> TopicsSlice { try TopicsSlice(parsing: text) }

    @Test func permitsSlicesNamingOnlyListedTopics() async throws {
        #expect(await permit.permits(clientId: "shop", slice: try slice("A")))
        #expect(await permit.permits(clientId: "shop", slice: try slice("A+B")))
        #expect(await permit.permits(clientId: "shop", slice: try slice("A*!B")), "a negated listed topic is fine")
    }

    @Test func refusesOtherTopicsUnknownClientsAndAnonymousRequests() async throws {
        #expect(!(await permit.permits(clientId: "shop", slice: try slice("C"))))
        #expect(!(await permit.permits(clientId: "shop", slice: try slice("A+C"))), "one unlisted topic refuses the slice")
        #expect(!(await permit.permits(clientId: "shop", slice: try slice("A*!C"))), "negated topics count too")
        #expect(!(await permit.permits(clientId: "kiosk", slice: try slice("A"))))
        #expect(!(await permit.permits(clientId: "stranger", slice: try slice("A"))))
        #expect(!(await permit.permits(clientId: nil, slice: try slice("A"))))
    }

    /// Found by the permits review: `!A` names only a listed topic yet selects every entity
    /// without it (`,C,` included); a time window alone names nothing and selects everything recent.
    @Test func refusesSlicesThatSelectEntitiesWithoutAnyListedTopic() async throws {
        for text in ["!A", "!A+B", "TimeWindow3600", "A+TimeWindow3600", "!A*!B", "B+!A*!B"] {
            #expect(!(await permit.permits(clientId: "shop", slice: try slice(text))), "\(text)")
        }
        for text in ["A*TimeWindow3600", "A*!B+B", "(A+B)*!A", "A+B*!A"] {
            #expect(await permit.permits(clientId: "shop", slice: try slice(text)), "\(text) selects only entities with A or B")
        }
    }

    @Test func writesNeedEveryTopicOfTheEntityBeforeAndAfter() async throws {
        let key = EntityKey("Customer", UUID())
        let shop = await permit.writePermit(clientId: "shop")
        for side in [EntityWriteSide.before, .after] {
            #expect(shop.refusal(for: key, topics: try TopicsList(["A"]), side: side) == nil)
            #expect(shop.refusal(for: key, topics: try TopicsList(["B", "A"]), side: side) == nil)
            let refused = try #require(shop.refusal(for: key, topics: try TopicsList(["A", "C"]), side: side))
            #expect(refused.contains(key.techId.uuidString) && refused.contains("'C'") && refused.contains("its write topics: A, B"), "\(refused)")
            #expect(shop.refusal(for: key, topics: .empty, side: side) != nil, "an entity without topics is no restricted client's")
        }
        #expect(shop.refusal(for: key, topics: try TopicsList(["C"]), side: .before)?.contains("leave this entity out") == true)
        #expect(shop.refusal(for: key, topics: try TopicsList(["C"]), side: .after)?.contains("keep the entity's topics") == true)
        #expect(await permit.writePermit(clientId: "kiosk").refusal(for: key, topics: try TopicsList(["A"]), side: .after) != nil)
        #expect(await permit.writePermit(clientId: "stranger").refusal(for: key, topics: try TopicsList(["A"]), side: .after) != nil)
        #expect(await AllowAllPermit().writePermit(clientId: "stranger").refusal(for: key, topics: .empty, side: .before) == nil)
    }
}
