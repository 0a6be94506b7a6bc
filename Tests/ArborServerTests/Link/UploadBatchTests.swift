@testable import ArborServer
import ArborCore
import ArborTesting
import Foundation
import Testing

@Suite struct UploadBatchTests {
    let schema = Fixtures.retailSchema

    private func create(_ n: Int, topics: TopicsList) throws -> Delta {
        var delta = try LocalWrite.delta(
            for: Samples.customerCreate(id: Fixtures.id(n)), existing: nil, at: Fixtures.time(Int64(n)), schema: schema
        )
        delta.topics = topics
        return delta
    }

    @Test func keepsOnlyFatherBoundChanges() throws {
        let up = try create(1, topics: Fixtures.topics("#arbor.father", "A"))
        var full = try create(2, topics: Fixtures.topics("A"))
        full.operation = .full
        let fromFather = try create(3, topics: Fixtures.topics("A"))
        var partial = try create(4, topics: Fixtures.topics("#arbor.father", "#arbor.notson.b7", "A"))
        partial.operation = .partial
        let register = Delta.register(entityClass: "Customer", techId: Fixtures.id(5), updateTime: Fixtures.time(5),
                                      namingTopic: SiteTopics.naming(son: "b7"), change: .synchronize)
        let buffer = Samples.buffer([up, full, fromFather, partial, register], sequence: 9)
        #expect(UploadBatch.fatherBound(buffer).deltas == [up, partial],
                "own and grandsons' changes go up; FULLs, REGISTERs and what came from the father stay")
    }

    @Test func coversEmptyBuffersAndDropsThem() throws {
        let buffers = [
            Samples.buffer([try create(1, topics: Fixtures.topics("A"))], sequence: 4),
            Samples.buffer([try create(2, topics: Fixtures.topics("#arbor.father", "A"))], sequence: 5),
            Samples.buffer([], sequence: 6),
        ]
        let batch = try #require(try UploadBatch.make(from: buffers, schema: schema, maxBytes: 1 << 20))
        #expect(batch.buffers.map(\.sequence) == [5])
        #expect(batch.throughSequence == 6, "the father records positions with nothing for it too")
        let decoded = try LinkServer.decode(batch.body, schema: schema)
        let end = DeltaBuffer(schemaName: buffers[2].schemaName, originSite: buffers[2].originSite, sequence: 6, deltas: [])
        #expect(decoded == batch.buffers + [end], "an empty buffer at the last sequence carries the position (issue 11 item 3)")
        try LinkServer.checkClaim(batch.throughSequence, buffers: decoded)
        let carried = try #require(try UploadBatch.make(from: Array(buffers.prefix(2)), schema: schema, maxBytes: 1 << 20))
        #expect(try LinkServer.decode(carried.body, schema: schema) == carried.buffers, "no end buffer when the last buffer is carried")
        #expect(try UploadBatch.make(from: [], schema: schema, maxBytes: 1 << 20) == nil)
    }

    @Test func splitsAtTheByteLimitButSendsABigBufferAlone() throws {
        let buffers = try (1...3).map { Samples.buffer([try create($0, topics: Fixtures.topics("#arbor.father", "A"))], sequence: Int64($0)) }
        let one = try DeltaBufferCodec.encode(buffers[0], schema: schema).count
        let two = try #require(try UploadBatch.make(from: buffers, schema: schema, maxBytes: one * 2 + 1))
        #expect(two.buffers.map(\.sequence) == [1, 2])
        #expect(two.throughSequence == 2, "the batch covers only what it carries")
        let alone = try #require(try UploadBatch.make(from: buffers, schema: schema, maxBytes: 1))
        #expect(alone.buffers.map(\.sequence) == [1])
        #expect(alone.throughSequence == 1)
    }
}
