import ArborCore
import Foundation
import Testing

@Suite("ByteWriter / ByteReader")
struct ByteReaderTests {
    @Test("fixed-width integers are big-endian and round-trip")
    func fixedWidth() throws {
        var writer = ByteWriter()
        writer.writeUInt8(0xAB)
        writer.writeUInt32(0x0102_0304)
        writer.writeInt64(-2)
        #expect(writer.bytes == [0xAB, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8() == 0xAB)
        #expect(try reader.readUInt32() == 0x0102_0304)
        #expect(try reader.readInt64() == -2)
        #expect(reader.isAtEnd)
    }

    static let knownVarints: [(UInt64, [UInt8])] = [
        (0, [0]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test("unsigned varints use minimal LEB128", arguments: knownVarints)
    func varintKnownEncodings(value: UInt64, encoded: [UInt8]) throws {
        var writer = ByteWriter()
        writer.writeVarint(value)
        #expect(writer.bytes == encoded)
        var reader = ByteReader(encoded)
        #expect(try reader.readVarint() == value)
        #expect(reader.isAtEnd)
    }

    @Test("zigzag keeps small magnitudes short and round-trips the extremes", arguments: [
        Int64(0), -1, 1, -2, 63, -64, 64, Int64.min, Int64.max, Int64(Int32.min), Int64(Int32.max),
    ])
    func signedVarints(value: Int64) throws {
        var writer = ByteWriter()
        writer.writeSignedVarint(value)
        if (-64..<64).contains(value) { #expect(writer.bytes.count == 1) }
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readSignedVarint() == value)
        #expect(ByteWriter.zigzag(-1) == 1 && ByteWriter.zigzag(1) == 2 && ByteWriter.zigzag(Int64.min) == UInt64.max)
    }

    @Test("over-long, overflowing and non-minimal varints are rejected", arguments: [
        [UInt8](repeating: 0x80, count: 10) + [0x00],  // 11 bytes
        [UInt8](repeating: 0xFF, count: 9) + [0x02],  // bit 64 set
        [0x80, 0x00],  // 0 written in two bytes
        [0xFF, 0x80, 0x00],
    ])
    func overlongVarints(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        #expect(throws: DeltaCodecError.self) { try reader.readVarint() }
        do {
            var again = ByteReader(bytes)
            _ = try again.readVarint()
        } catch {
            #expect(error.code == .malformed)
        }
    }

    @Test("a varint cut in the middle is truncated")
    func truncatedVarint() {
        var reader = ByteReader([0x80, 0x80])
        #expect { try reader.readVarint() } throws: { ($0 as? DeltaCodecError)?.code == .truncated }
    }

    @Test("strings round-trip as length-prefixed UTF-8, empty and unicode included")
    func strings() throws {
        var writer = ByteWriter()
        for text in ["", "abc", "Zoë 北京 🚀", "\u{0}"] { writer.writeString(text) }
        #expect(writer.bytes.prefix(1) == [0])
        var reader = ByteReader(writer.bytes)
        for text in ["", "abc", "Zoë 北京 🚀", "\u{0}"] { #expect(try reader.readString() == text) }
        #expect(reader.isAtEnd)
    }

    @Test("invalid UTF-8 is malformed")
    func invalidUTF8() {
        var reader = ByteReader([2, 0xC3, 0x28])
        #expect { try reader.readString() } throws: { ($0 as? DeltaCodecError)?.code == .malformed }
    }

    @Test("a declared length beyond the remaining bytes fails before allocating")
    func hugeDeclaredLength() {
        var writer = ByteWriter()
        writer.writeVarint(UInt64.max)
        writer.writeBytes([1, 2, 3])
        var reader = ByteReader(writer.bytes)
        #expect { try reader.readString() } throws: { ($0 as? DeltaCodecError)?.code == .truncated }
        var bytesReader = ByteReader(writer.bytes)
        #expect { try bytesReader.readLengthPrefixedBytes() } throws: { ($0 as? DeltaCodecError)?.code == .truncated }
        var fixedReader = ByteReader([1, 2, 3])
        #expect(throws: DeltaCodecError.self) { try fixedReader.readUInt32() }
        #expect(throws: DeltaCodecError.self) { try fixedReader.readBytes(count: -1) }
        #expect(fixedReader.offset == 0)
    }

    @Test("UUIDs are 16 bytes in string order")
    func uuids() throws {
        let id = try #require(UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF"))
        var writer = ByteWriter()
        writer.writeUUID(id)
        #expect(writer.bytes == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUUID() == id)
    }
}
