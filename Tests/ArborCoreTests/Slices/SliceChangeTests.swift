import ArborCore
import Testing

/// ``SliceChange`` (§2.3): what a client stops holding when its slice changes.
struct SliceChangeTests {
    func topics(_ text: String) throws -> TopicsList { try TopicsList(parsing: text) }

    @Test("an entity leaves when the old slice selects it and the new one does not")
    func leaves() throws {
        let old = try TopicsSlice(parsing: "A+B"), new = try TopicsSlice(parsing: "A")
        #expect(SliceChange.leaves(try topics(",B,"), old: old, new: new))
        #expect(!SliceChange.leaves(try topics(",A,B,"), old: old, new: new))
        #expect(!SliceChange.leaves(try topics(",C,"), old: old, new: new), "neither selects it: registration decides")
        #expect(!SliceChange.leaves(try topics(",A,"), old: new, new: old), "widening drops nothing")
        let windowed = try TopicsSlice(parsing: "A*TimeWindow60")
        #expect(!SliceChange.leaves(try topics(",A,"), old: windowed, new: new), "time windows are disregarded, as in steady state")
        #expect(SliceChange.leaves(try topics(",A,X,"), old: new, new: try TopicsSlice(parsing: "A*!X")))
        // Held only by registration (neither selects it), it leaves once the new slice negates a topic it carries.
        #expect(SliceChange.leaves(try topics(",X,"), old: new, new: try TopicsSlice(parsing: "A*!X")))
        #expect(!SliceChange.leaves(try topics(",C,"), old: new, new: try TopicsSlice(parsing: "A*!X")))
    }
}
