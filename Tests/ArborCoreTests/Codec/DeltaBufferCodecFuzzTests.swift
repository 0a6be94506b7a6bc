import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite("DeltaBufferCodec robustness and properties")
struct DeltaBufferCodecFuzzTests {
    let schema = Fixtures.retailSchema

    @Test("random valid buffers round-trip in binary and JSON", arguments: [UInt64(1), 2, 3, 4])
    func randomRoundTrips(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        for iteration in 0..<75 {
            let buffer = random.buffer()
            let bytes = try DeltaBufferCodec.encode(buffer, schema: schema)
            let decoded = try DeltaBufferCodec.decode(bytes, schema: schema)
            #expect(sameBuffer(decoded, buffer), "binary round trip differs: seed \(seed), iteration \(iteration)")
            #expect(try DeltaBufferCodec.encode(decoded, schema: schema) == bytes, "re-encoding differs: seed \(seed), iteration \(iteration)")
            let json = try DeltaBufferJSON.encode(buffer, schema: schema)
            let fromJSON = try DeltaBufferJSON.decode(json, schema: schema)
            #expect(sameBuffer(fromJSON, buffer, nanPayloads: false), "JSON round trip differs: seed \(seed), iteration \(iteration)")
        }
    }

    @Test("every strict prefix of a buffer fails with an error")
    func everyTruncation() throws {
        let bytes = try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
        for length in 0..<bytes.count {
            #expect(throws: DeltaCodecError.self, "prefix of \(length) bytes") {
                try DeltaBufferCodec.decode(bytes[..<length], schema: schema)
            }
        }
    }

    @Test("every truncation of the body, with the header fixed up, fails without trapping")
    func everyBodyTruncation() throws {
        let bytes = try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
        let body = Array(bytes[13...])
        for length in 0..<body.count {
            let error = #expect(throws: DeltaCodecError.self, "body prefix of \(length) bytes") {
                try DeltaBufferCodec.decode(DeltaBufferSamples.framed(body: Array(body[..<length])), schema: schema)
            }
            #expect(error?.code != .checksumMismatch)
        }
    }

    @Test("random single-byte corruptions are rejected")
    func singleByteCorruptions() throws {
        let bytes = try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)
        var rng = SeededGenerator(seed: 77)
        for iteration in 0..<300 {
            var damaged = bytes
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            damaged[index] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(throws: DeltaCodecError.self, "corruption \(iteration) at byte \(index) (seed 77) was accepted") {
                try DeltaBufferCodec.decode(damaged, schema: schema)
            }
        }
    }

    @Test("random garbage, raw or behind a valid header and CRC, never crashes")
    func garbage() throws {
        var rng = SeededGenerator(seed: 2024)
        let valid = Array(try DeltaBufferCodec.encode(DeltaBufferSamples.rich(), schema: schema)[13...])
        for iteration in 0..<300 {
            let count = Int.random(in: 0...200, using: &rng)
            let noise = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(throws: DeltaCodecError.self, "raw garbage \(iteration) (seed 2024) was accepted") {
                try DeltaBufferCodec.decode(noise, schema: schema)
            }
            // Keep a valid prefix so the parser gets deep before meeting garbage.
            var body = valid
            let keep = Int.random(in: 0..<body.count, using: &rng)
            body.replaceSubrange(keep..., with: noise)
            if let decoded = try? DeltaBufferCodec.decode(DeltaBufferSamples.framed(body: body), schema: schema) {
                // Whatever decodes must be valid against the schema and encodable again.
                #expect(throws: Never.self) { try DeltaBufferCodec.encode(decoded, schema: schema) }
            }
        }
    }
}
