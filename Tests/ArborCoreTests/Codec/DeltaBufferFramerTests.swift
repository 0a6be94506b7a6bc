import ArborCore
import ArborTesting
import Testing

@Suite("DeltaBufferFramer")
struct DeltaBufferFramerTests {
    let schema = Fixtures.retailSchema

    func stream() throws -> [[UInt8]] {
        var random = RandomDeltaBuffer(seed: 9)
        var frames = [try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)]
        for _ in 0..<4 { frames.append(try DeltaBufferCodec.encode(random.buffer(), schema: schema)) }
        frames.append(try DeltaBufferCodec.encode(DeltaBuffer(schemaName: "retail-v1", originSite: "", sequence: 0, deltas: []), schema: schema))
        return frames
    }

    @Test("fed one byte at a time, returns exactly the buffers, and nil until each is complete")
    func byteByByte() throws {
        let frames = try stream()
        var framer = DeltaBufferFramer()
        var received: [[UInt8]] = []
        var boundaries = Set(frames.indices.map { frames[...$0].reduce(0) { $0 + $1.count } })
        var fed = 0
        for byte in frames.joined() {
            framer.append([byte])
            fed += 1
            let frame = try framer.nextFrame()
            #expect((frame != nil) == boundaries.contains(fed), "after \(fed) bytes")
            if let frame { received.append(frame) }
            #expect(try framer.nextFrame() == nil)
            boundaries.remove(fed)
        }
        #expect(received == frames)
        #expect(framer.bufferedByteCount == 0)
        try framer.finish()
        for frame in received { _ = try DeltaBufferCodec.decode(frame, schema: schema) }
    }

    @Test("random chunk sizes give the same frames", arguments: [UInt64(5), 6, 7])
    func randomChunks(seed: UInt64) throws {
        let frames = try stream()
        let all = Array(frames.joined())
        var rng = SeededGenerator(seed: seed)
        var framer = DeltaBufferFramer()
        var received: [[UInt8]] = []
        var offset = 0
        while offset < all.count {
            let size = min(Int.random(in: 0...300, using: &rng), all.count - offset)
            framer.append(all[offset..<(offset + size)])
            offset += size
            while let frame = try framer.nextFrame() { received.append(frame) }
        }
        #expect(received == frames, "seed \(seed)")
    }

    @Test("bad magic is reported from the first wrong byte")
    func badMagic() throws {
        var framer = DeltaBufferFramer()
        framer.append(Array("AR".utf8))
        #expect(try framer.nextFrame() == nil)
        framer.append(Array("X".utf8))
        #expect { try framer.nextFrame() } throws: { ($0 as? DeltaCodecError)?.code == .badMagic }

        var afterFrame = DeltaBufferFramer()
        afterFrame.append(try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema) + [0x7B])
        #expect(try afterFrame.nextFrame() != nil)
        #expect { try afterFrame.nextFrame() } throws: { ($0 as? DeltaCodecError)?.code == .badMagic }
    }

    @Test("an oversized declared length is rejected once 9 bytes are known, not before")
    func oversized() throws {
        var framer = DeltaBufferFramer(maxBufferSize: 1024)
        let header: [UInt8] = Array("ARBD".utf8) + [1, 0, 0, 0x04, 0x01]
        framer.append(header.prefix(8))
        #expect(try framer.nextFrame() == nil)
        framer.append(header.suffix(1))
        #expect { try framer.nextFrame() } throws: { ($0 as? DeltaCodecError)?.code == .oversized }
    }

    @Test("a declared length shorter than a header is malformed")
    func tooShort() {
        var framer = DeltaBufferFramer()
        framer.append(Array("ARBD".utf8) + [1, 0, 0, 0, 12])
        #expect { try framer.nextFrame() } throws: { ($0 as? DeltaCodecError)?.code == .malformed }
    }

    @Test("finish reports an incomplete last frame")
    func finish() throws {
        var framer = DeltaBufferFramer()
        try framer.finish()
        #expect(try framer.nextFrame() == nil)
        framer.append(try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema).dropLast())
        #expect(try framer.nextFrame() == nil)
        #expect { try framer.finish() } throws: { ($0 as? DeltaCodecError)?.code == .truncated }
    }
}
