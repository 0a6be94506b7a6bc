@testable import ArborCore
import ArborTesting
import Foundation
import Testing

/// ``JSONReader`` answers only inputs where it agrees with `JSONDecoder`: whatever it reads must
/// equal what the `Decodable` wire shapes give for the same bytes, and what Arbor writes must
/// take the fast path.
@Suite("JSONReader")
struct JSONReaderTests {
    let schema = Fixtures.retailSchema

    /// The fast reading of `data`, after checking it against `JSONDecoder` when it has one.
    @discardableResult
    func agreeing<T: Decodable & Equatable>(
        _ data: Data, _ read: (inout JSONReader) throws(JSONReader.Unsupported) -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) -> T? {
        let fast = JSONReader.read(data, read)
        if let fast {
            let slow = try? JSONDecoder().decode(T.self, from: data)
            #expect(slow == fast, "\(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
        }
        return fast
    }

    @Test("what Arbor writes is read on the fast path, equal to JSONDecoder's reading", arguments: [UInt64(31), 32, 33])
    func writtenBuffers(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        let rich = try DeltaBufferJSON.encode(DeltaBufferSamples.rich(), schema: schema)
        #expect(agreeing(rich, DeltaBufferJSON.readWireBuffer) != nil)
        var fastReads = 0
        for _ in 0..<80 {
            let data = try DeltaBufferJSON.encode(random.buffer(), schema: schema)
            if agreeing(data, DeltaBufferJSON.readWireBuffer) != nil { fastReads += 1 }
        }
        // Only integral doubles in 2^53…2^63 written with an exponent leave it (random bit patterns).
        #expect(fastReads >= 60, "\(fastReads) of 80 on the fast path")
        let response = DeltaBuffersJSONResponse(sequence: 9, connectedToCenter: true, buffers: [DeltaBufferSamples.rich()])
        #expect(agreeing(try response.encodeJSON(schema: schema), DeltaBuffersJSONResponse.Wire.read) != nil)
    }

    @Test("append bodies Arbor writes are read on the fast path", arguments: [UInt64(41), 42])
    func writtenAppendBodies(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        for _ in 0..<30 {
            let writes = (0..<3).map { _ in JSONBytesTests.write(from: random.delta(), using: &random.rng) }
            let body = try EntityWriteJSON.encode(writes, schema: schema)
            _ = agreeing(body, EntityWriteJSON.readWire)
        }
        let plain = try EntityWriteJSON.encode([EntityWrite(.create(inCache: true), entityClass: "Customer", techId: Fixtures.id(1), topics: Fixtures.topics("A"), fields: ["name": .text("n")])], schema: schema)
        #expect(agreeing(plain, EntityWriteJSON.readWire) != nil)
    }

    /// Texts around the edges of the subset: each must either leave the fast path or agree.
    static let edgeTexts: [String] = [
        #" { "writes" : [ ] } "#, #"{"writes":[],}"#, "\u{FEFF}{\"writes\":[]}", #"{"writes":[]} x"#, #"{"writes":[],"writes":[]}"#,
        #"{"writes":null}"#, #"{"other":{"a":[1,2,{"b":null}],"c":"\u00e9"},"writes":[]}"#, #"{"writes":[{"kind":"create","class":"Customer","techId":"x"}]}"#,
        #"{"writes":[{"kind":"create","class":"Customer","techId":"x","fields":{"a":1,"a":2}}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"n":1.0,"m":1e2,"o":-0,"p":-0.0,"q":0.1e1,"r":1.5,"s":1e400,"t":1e-400}}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"n":9223372036854775807,"m":-9223372036854775808,"o":9223372036854775808,"p":1e19,"q":123456789012345678901234567890}}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"n":01,"m":+1,"o":.5,"p":1.,"q":-}}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"n":"\ud83d\ude80","m":"\ud800","o":"\/\b\f\n\r\t\"\\","p":"\u0000"}}]}"#,
        "{\"writes\":[{\"kind\":\"create\",\"class\":\"C\",\"techId\":\"raw\ttab\"}]}", #"{"writes":[{"kind":"create","class":"C","techId":"x","inCache":null,"topics":null,"subEntities":null}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","inCache":1}]}"#, #"{"writes":[{"kind":true,"class":"C","techId":"x"}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"a":[1]}}]}"#, #"{"writes":[{"kind":"create","class":"C","techId":"x","fields":{"a":{"b":1}}}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","subEntities":[{"op":"CREATE","collection":"lines","techId":"y","parentId":"x","fields":null}]}]}"#,
        #"{"writes":[{"kind":"create","class":"C","techId":"x","subEntities":[{"op":"CREATE","collection":"lines","techId":"y"}]}]}"#,
        "[]", "", "null", "{", #"{"writes":[{"kind":"create""#, #"{"writes":[1,]}"#,
    ]

    @Test("edge texts leave the fast path or agree with JSONDecoder", arguments: edgeTexts)
    func edgeText(text: String) {
        agreeing(Data(text.utf8), EntityWriteJSON.readWire)
    }

    @Test("invalid UTF-8 in a string leaves the fast path")
    func invalidUTF8() {
        var bytes = Array(#"{"writes":[{"kind":"create","class":"C","techId":"#.utf8)
        bytes += [0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x5D, 0x7D]
        #expect(JSONReader.read(Data(bytes), EntityWriteJSON.readWire) == nil)
    }

    @Test("random single-byte changes of written buffers leave the fast path or agree", arguments: [UInt64(51), 52])
    func corruptions(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        let alphabet = Array(#" {}[],:"\0123456789.eE+-tfnulasrAZ/u"#.utf8) + [0x09, 0x0A, 0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        for _ in 0..<25 {
            let original = Array(try DeltaBufferJSON.encode(random.buffer(), schema: schema))
            for _ in 0..<40 {
                var bytes = original
                let position = Int.random(in: 0..<bytes.count, using: &random.rng)
                switch Int.random(in: 0..<3, using: &random.rng) {
                case 0: bytes[position] = random.pick(alphabet)
                case 1: bytes.insert(random.pick(alphabet), at: position)
                default: bytes.remove(at: position)
                }
                agreeing(Data(bytes), DeltaBufferJSON.readWireBuffer)
            }
        }
    }

    @Test("decoding through the fast path gives the buffer back")
    func decodes() throws {
        let buffer = DeltaBufferSamples.rich()
        #expect(try DeltaBufferJSON.decode(DeltaBufferJSON.encode(buffer, schema: schema), schema: schema) == buffer)
    }
}
