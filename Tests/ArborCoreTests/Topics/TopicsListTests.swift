import ArborCore
import Testing

@Suite("Topics lists")
struct TopicsListTests {
    @Test("parse and format round trip", arguments: [",A1,A2,B1,", ",x,", ",#f,A,", ",a.b-c_d/é,T[1],", ",TimeWindowX,"])
    func roundTrip(text: String) throws {
        let list = try TopicsList(parsing: text)
        #expect(list.formatted == text)
        #expect(list.description == text)
        #expect(try TopicsList(parsing: list.formatted) == list)
        #expect(list.entries.count == text.filter { $0 == "," }.count - 1)
    }

    @Test("entries keep their order and spelling")
    func entriesInOrder() throws {
        let list = try TopicsList(parsing: ",B,#A,C,")
        #expect(list.entries == ["B", "#A", "C"])
        #expect(list.contains("#A"))
        #expect(!list.contains("A"))
    }

    @Test("empty list forms \"\" and \",\"", arguments: ["", ","])
    func emptyForms(text: String) throws {
        let list = try TopicsList(parsing: text)
        #expect(list.isEmpty)
        #expect(list == .empty)
        #expect(list.formatted == ",")
        #expect(list.deltaServerTopics.isEmpty && list.cacheServerTopics.isEmpty)
    }

    @Test("lists without the surrounding commas are rejected", arguments: ["A1,A2,", ",A1,A2", "A", "A1,A2"])
    func missingDelimiters(text: String) {
        #expect(throws: TopicsError.missingDelimiters(text)) { try TopicsList(parsing: text) }
        #expect(TopicsError.missingDelimiters(text).description.contains(",A1,A2,"))
    }

    @Test("an empty topic between commas is rejected", arguments: [",A,,B,", ",,", ",,A,", ",A,,"])
    func emptyTopic(text: String) {
        #expect(throws: TopicsError.emptyTopic) { try TopicsList(parsing: text) }
    }

    @Test("every illegal character inside a topic is rejected", arguments: TopicTests.illegal.filter { $0 != "," })
    func illegalCharacter(character: Character) {
        let text = ",ok,x\(character)y,"
        #expect(throws: TopicsError.illegalCharacter(topic: "x\(character)y", character: character, offset: 1)) {
            try TopicsList(parsing: text)
        }
    }

    @Test("blanks around or inside topics are rejected, naming the topic")
    func blanks() throws {
        for text in [", A,", ",A ,", ",A B,", ",A,\tB,"] {
            let error = try #require(throws: TopicsError.self) { try TopicsList(parsing: text) }
            guard case .illegalCharacter(_, let character, _) = error else {
                Issue.record("expected illegalCharacter for '\(text)', got \(error)")
                continue
            }
            #expect(character == " " || character == "\t")
            #expect(error.description.contains("blanks"))
        }
    }

    @Test("a time-window shaped topic is reserved", arguments: [",TimeWindow60,", ",A,TimeWindow[1/1/2000,"])
    func reservedTimeWindowName(text: String) throws {
        let error = try #require(throws: TopicsError.self) { try TopicsList(parsing: text) }
        guard case .reservedName(let name) = error else {
            Issue.record("expected reservedName, got \(error)")
            return
        }
        #expect(name.hasPrefix("TimeWindow"))
        #expect(error.description.contains(name))
    }

    @Test("only one leading '#' is accepted")
    func hashPrefix() throws {
        #expect(try TopicsList(parsing: ",#A,").entries == ["#A"])
        #expect(throws: TopicsError.illegalCharacter(topic: "#A", character: "#", offset: 0)) {
            try TopicsList(parsing: ",##A,")
        }
        #expect(throws: TopicsError.emptyTopic) { try TopicsList(parsing: ",#,") }
    }

    @Test("the delta server strips '#', the cache server drops the topic")
    func hashSemantics() throws {
        let list = try TopicsList(parsing: ",A,#site.x,B,")
        #expect(list.deltaServerTopics == ["A", "site.x", "B"])
        #expect(list.cacheServerTopics == ["A", "B"])
        #expect(list.applicationTopics == (try TopicsList(parsing: ",A,B,")))
        #expect(list.applicationTopics.formatted == ",A,B,")
    }

    @Test("prepending places new entries first and skips duplicates")
    func prepending() throws {
        let list = try TopicsList(parsing: ",A,#f,")
        #expect(list.prepending(["#f", "#s1", "A", "Z"]).formatted == ",#s1,Z,A,#f,")
        #expect(TopicsList.empty.prepending(["#f"]).formatted == ",#f,")
        #expect(list.prepending([]) == list)
    }

    @Test("building from entries validates each one")
    func buildFromEntries() throws {
        #expect(try TopicsList(["A", "#B"]).formatted == ",A,#B,")
        #expect(throws: TopicsError.emptyTopic) { try TopicsList(["A", ""]) }
        #expect(throws: TopicsError.illegalCharacter(topic: "A*B", character: "*", offset: 1)) { try TopicsList(["A*B"]) }
    }
}
