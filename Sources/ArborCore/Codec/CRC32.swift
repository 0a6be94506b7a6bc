/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by zip, PNG and Ethernet.
///
/// Guards delta-buffer bodies against damage in transit or storage; table-driven and pure.
public enum CRC32 {
    /// The 256-entry lookup table, computed once.
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    /// The checksum of `bytes` (`checksum("123456789".utf8) == 0xCBF43926`).
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        update(0, with: bytes)
    }

    /// Continues `crc` (a previous result, or 0 to start) over more `bytes`, so a checksum can
    /// be computed over pieces: `update(checksum(a), with: b) == checksum(a + b)`.
    public static func update(_ crc: UInt32, with bytes: some Sequence<UInt8>) -> UInt32 {
        var value = ~crc
        for byte in bytes {
            value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
        }
        return ~value
    }
}
