@testable import ArborServer
import Testing

@Suite struct SonContactsTests {
    @Test func connectsOnFirstContactAndExpiresAfterSilence() {
        let start = ContinuousClock.now
        var contacts = SonContacts(timeout: .seconds(30))
        let first = contacts.contacted("b1", at: start)
        let again = contacts.contacted("b1", at: start + .seconds(10))
        let second = contacts.contacted("b2", at: start + .seconds(20))
        #expect(first)
        #expect(!again, "already connected")
        #expect(second)
        #expect(contacts.expire(at: start + .seconds(40)).isEmpty)
        #expect(contacts.expire(at: start + .seconds(41)) == ["b1"])
        #expect(!contacts.isEmpty)
        #expect(contacts.expire(at: start + .seconds(51)) == ["b2"])
        #expect(contacts.isEmpty)
        let back = contacts.contacted("b1", at: start + .seconds(60))
        #expect(back, "a son that comes back connects again")
    }
}
