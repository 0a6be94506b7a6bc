import ArborCore
import Testing

@Suite("Topic validation")
struct TopicTests {
    /// Every character the guide forbids (§2.1.1.1), plus blanks and control characters.
    static let illegal: [Character] = ["*", "+", "!", "(", ")", ",", "#", " ", "\t", "\n", "\r", "\u{00A0}", "\u{01}", "\u{7F}"]

    @Test("each forbidden character is rejected by isAllowed", arguments: illegal)
    func forbiddenCharacterIsNotAllowed(character: Character) {
        #expect(!Topic.isAllowed(character))
    }

    @Test("ordinary characters are allowed", arguments: Array("azAZ09._-/:[]@$%&=?é漢"))
    func ordinaryCharacterIsAllowed(character: Character) {
        #expect(Topic.isAllowed(character))
    }

    @Test("validate names the illegal character and its offset", arguments: illegal.filter { $0 != "," })
    func validateReportsIllegalCharacter(character: Character) {
        let topic = "ab\(character)c"
        #expect(throws: TopicsError.illegalCharacter(topic: topic, character: character, offset: 2)) {
            try Topic.validate(topic)
        }
    }

    @Test("time-window shaped names are reserved, look-alikes are not")
    func reservedNames() throws {
        for reserved in ["TimeWindow60", "TimeWindow0", "TimeWindow[31/12/2005", "TimeWindow[x]"] {
            #expect(throws: TopicsError.reservedName(reserved)) { try Topic.validate(reserved) }
        }
        for ordinary in ["TimeWindow", "TimeWindowX", "timewindow60", "XTimeWindow60"] {
            try Topic.validate(ordinary)
        }
    }

    @Test("empty topic is rejected with a helpful description")
    func emptyTopic() {
        #expect(throws: TopicsError.emptyTopic) { try Topic.validate("") }
        #expect(TopicsError.emptyTopic.description.contains("doubled comma"))
    }
}
