import ArborCore
import ArborServer
import Testing

/// The reference `TopicsPermit` plug: a client may name only its listed topics.
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
}
