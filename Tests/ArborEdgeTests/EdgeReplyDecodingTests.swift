@testable import ArborEdge
import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite struct EdgeReplyDecodingTests {
    let schema = EdgeSamples.schema
    let buffers = [
        EdgeSamples.buffer(sequence: 7, customers: [1, 2]),
        EdgeSamples.buffer(sequence: 8, customers: []),
        EdgeSamples.buffer(sequence: 9, customers: [3]),
    ]

    private func reply(_ body: [UInt8], headers: [String: String]) -> EdgeReply {
        let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        return EdgeReply(status: 200, server: "http://s:1", body: body) { lowered[$0.lowercased()] }
    }

    private func decodingError(_ reply: EdgeReply, requested: EdgeConfiguration.Format = .binary) -> EdgeError? {
        do {
            _ = try reply.deltaBuffers(schema: schema, requested: requested)
            return nil
        } catch {
            return error
        }
    }

    @Test func binaryBodyWithSeveralBuffers() throws {
        let body = try EdgeSamples.binaryBody(buffers)
        let decoded = try reply(body, headers: ["Content-Type": ArborProtocol.deltaBuffersMediaType, "X-Arbor-Sequence": "9"])
            .deltaBuffers(schema: schema, requested: .binary)
        #expect(decoded.buffers == buffers)
        #expect(decoded.sequence == 9)
    }

    @Test func binaryBodyWithoutContentTypeFollowsTheRequestedFormat() throws {
        let body = try EdgeSamples.binaryBody(buffers)
        let decoded = try reply(body, headers: ["X-Arbor-Sequence": "12"]).deltaBuffers(schema: schema, requested: .binary)
        #expect(decoded.buffers == buffers)
        #expect(decoded.sequence == 12)
    }

    @Test func emptyBinaryBodyIsNoBuffers() throws {
        let decoded = try reply([], headers: ["Content-Type": ArborProtocol.deltaBuffersMediaType, "X-Arbor-Sequence": "5"])
            .deltaBuffers(schema: schema, requested: .binary)
        #expect(decoded.buffers.isEmpty)
        #expect(decoded.sequence == 5)
    }

    @Test func binaryBodyNeedsTheSequenceHeader() throws {
        let error = decodingError(reply(try EdgeSamples.binaryBody(buffers), headers: ["Content-Type": ArborProtocol.deltaBuffersMediaType]))
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.contains("X-Arbor-Sequence") == true)
    }

    @Test func damagedBinaryBodies() throws {
        let body = try EdgeSamples.binaryBody(buffers)
        let headers = ["Content-Type": ArborProtocol.deltaBuffersMediaType, "X-Arbor-Sequence": "9"]
        var flipped = body
        flipped[body.count - 1] ^= 0xFF
        for damaged in [Array(body.dropLast(3)), Array("<html>oops</html>".utf8), flipped] {
            let error = decodingError(reply(damaged, headers: headers))
            #expect(error?.code == .invalidResponse)
            #expect(error?.httpStatus == 200)
            #expect(error?.server == "http://s:1")
        }
    }

    @Test func bufferOfAnotherSchemaIsSchemaMismatch() throws {
        var other = schema
        other.name = "retail-v2"
        let foreign = try DeltaBufferCodec.encode(EdgeSamples.buffer(sequence: 3, customers: [1], schemaName: "retail-v2"), schema: other)
        let error = decodingError(reply(foreign, headers: ["X-Arbor-Sequence": "3"]))
        #expect(error?.code == .schemaMismatch)
        #expect(error?.isSchemaMismatch == true)
    }

    @Test func jsonBody() throws {
        let body = try DeltaBuffersJSONResponse(sequence: 9, connectedToCenter: true, buffers: buffers).encodeJSON(schema: schema)
        let withHeader = try reply(Array(body), headers: ["Content-Type": "application/json; charset=utf-8", "X-Arbor-Sequence": "10"])
            .deltaBuffers(schema: schema, requested: .json)
        #expect(withHeader.buffers == buffers)
        #expect(withHeader.sequence == 10, "the header wins over the body")
        let bodyOnly = try reply(Array(body), headers: ["Content-Type": "application/json"]).deltaBuffers(schema: schema, requested: .binary)
        #expect(bodyOnly.buffers == buffers, "the Content-Type decides the format")
        #expect(bodyOnly.sequence == 9)
        let untyped = try reply(Array(body), headers: [:]).deltaBuffers(schema: schema, requested: .json)
        #expect(untyped.buffers == buffers)
    }

    @Test func badJSONBodies() {
        for text in [#"{"sequence":1}"#, "[]", #"{"sequence":1,"connectedToCenter":true,"buffers":[{"schemaName":"retail-v1"}]}"#] {
            let error = decodingError(reply(Array(text.utf8), headers: ["Content-Type": "application/json"]), requested: .json)
            #expect(error?.code == .invalidResponse, "\(text)")
        }
    }

    @Test func unexpectedContentType() throws {
        let error = decodingError(reply(try EdgeSamples.binaryBody(buffers), headers: ["Content-Type": "text/html", "X-Arbor-Sequence": "9"]))
        #expect(error?.code == .invalidResponse)
        #expect(error?.message.contains("text/html") == true)
    }

    @Test func jsonAnswers() throws {
        let status = StatusResponse(server: "delta", site: "center", instance: "1", up: true, sequence: 4, schemaName: "retail-v1", connectedToCenter: true)
        let decoded = try reply(Array(try JSONEncoder().encode(status)), headers: [:]).json(StatusResponse.self)
        #expect(decoded == status)
        #expect(throws: EdgeError.self) { try reply(Array("{}".utf8), headers: [:]).json(SequenceResponse.self) }
    }
}
