import ArborCore
import Testing

@Suite("CRC32")
struct CRC32Tests {
    @Test("matches the IEEE check values")
    func checkValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test("can be computed over pieces")
    func incremental() {
        let bytes = Array("hierarchical replication".utf8)
        for split in 0...bytes.count {
            #expect(CRC32.update(CRC32.checksum(bytes[..<split]), with: bytes[split...]) == CRC32.checksum(bytes))
        }
    }

    @Test("detects every single-bit flip of a short message")
    func singleBitFlips() {
        let bytes = Array("ARBD delta".utf8)
        let reference = CRC32.checksum(bytes)
        for index in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= 1 << bit
                #expect(CRC32.checksum(damaged) != reference, "flip of bit \(bit) in byte \(index) undetected")
            }
        }
    }
}
