@testable import ArborEdge
import ArborCore
import ArborTesting
import Testing

/// A streamed answer (`X-Arbor-End-Mark: empty-buffer`) counts only when its empty end buffer
/// arrived: a body cut short, even between two whole buffers, is an error, never a short load.
@Suite struct EdgeReplyEndMarkTests {
    let schema = EdgeSamples.schema
    let buffers = [EdgeSamples.buffer(sequence: 9, customers: [1, 2]), EdgeSamples.buffer(sequence: 9, customers: [3])]
    let endBuffer = EdgeSamples.buffer(sequence: 9, customers: [])
    let headers = ["content-type": ArborProtocol.deltaBuffersMediaType, "x-arbor-sequence": "9", "x-arbor-end-mark": ArborProtocol.emptyBufferEndMark]

    private func decode(_ body: [UInt8], headers: [String: String]) throws(EdgeError) -> [DeltaBuffer] {
        try EdgeReply(status: 200, server: "http://s:1", body: body) { headers[$0.lowercased()] }.deltaBuffers(schema: schema, requested: .binary).buffers
    }

    private func error(_ body: [UInt8], headers: [String: String]) -> EdgeError? {
        do {
            _ = try decode(body, headers: headers)
            return nil
        } catch {
            return error
        }
    }

    @Test func theEndBufferIsRemoved() throws {
        #expect(try decode(try EdgeSamples.binaryBody(buffers + [endBuffer]), headers: headers) == buffers)
        #expect(try decode(try EdgeSamples.binaryBody([endBuffer]), headers: headers).isEmpty, "an empty load is its end buffer alone")
    }

    @Test func anAnswerCutBetweenBuffersIsAnError() throws {
        for kept in 0...buffers.count {
            let cut = error(try EdgeSamples.binaryBody(Array(buffers.prefix(kept))), headers: headers)
            #expect(cut?.code == .invalidResponse, "cut after \(kept) buffers")
            #expect(cut?.message.contains("end mark") == true, "\(cut?.message ?? "")")
        }
    }

    @Test func anAnswerCutInsideABufferIsAnError() throws {
        let body = try EdgeSamples.binaryBody(buffers + [endBuffer])
        for length in [1, 12, body.count / 2, body.count - 1] {
            #expect(error(Array(body.prefix(length)), headers: headers)?.code == .invalidResponse, "cut at \(length) of \(body.count) bytes")
        }
    }

    @Test func anUnknownEndMarkIsAnError() throws {
        var odd = headers
        odd["x-arbor-end-mark"] = "trailer"
        #expect(error(try EdgeSamples.binaryBody(buffers + [endBuffer]), headers: odd)?.message.contains("unknown") == true)
    }

    @Test func withoutTheHeaderTheBodyIsTakenAsItIs() throws {
        var plain = headers
        plain["x-arbor-end-mark"] = nil
        #expect(try decode(try EdgeSamples.binaryBody(buffers), headers: plain) == buffers)
    }
}
