import ArborCore
import Testing

@Suite("ClientBit")
struct ClientBitTests {
    @Test("bits outside 0...63 are refused", arguments: [-1, 64, Int.min, Int.max, 1000])
    func refusesOutOfRange(_ number: Int) {
        #expect(ClientBit(number) == nil)
    }

    @Test("bits 0...63 are accepted with a single-bit mask")
    func acceptsRange() throws {
        for number in 0...63 {
            let bit = try #require(ClientBit(number))
            #expect(bit.number == number)
            #expect(bit.mask == UInt64(1) << UInt64(number))
            #expect(bit.mask.nonzeroBitCount == 1)
        }
        #expect(try #require(ClientBit(63)).mask == 0x8000_0000_0000_0000)
    }

    @Test("bits order by number")
    func ordering() throws {
        #expect(try #require(ClientBit(0)) < #require(ClientBit(63)))
        #expect(try #require(ClientBit(7)).description == "bit 7")
    }
}
