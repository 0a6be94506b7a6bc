import ArborCore
import ArborStore
import ArborTesting
import Foundation
import Testing

/// The records a store committed are kept decoded for its log tail: each exactly what decoding
/// the stored bytes gives, and none for bytes it did not write.
@Suite struct CommittedBuffersTests {
    @Test(arguments: TestStores.available)
    func aCommittedRecordIsWhatDecodingItsStoredBytesGives(backend: TestStores.Backend) async throws {
        try await TestStores.withStore(backend) { store in
            let entities = EntitiesSubsystem(store: store)
            try await entities.write([
                Samples.orderCreate(id: Fixtures.id(1), lineId: Fixtures.id(2), taxId: Fixtures.id(3), topics: Fixtures.topics("A", "C")),
                Samples.customerCreate(id: Fixtures.id(4), extra: ["email": .null]),
            ])
            try await entities.write([EntityWrite(.update, entityClass: "Customer", techId: Fixtures.id(4), topics: Fixtures.topics("B"), fields: ["name": .text("Bo")])])
            let records = try await store.readLog(after: 0, limit: 10)
            #expect(records.count == 2)
            let kept = try #require(store.committedBuffers)
            for record in records {
                let decoded = try DeltaBufferCodec.decode(record.buffer, schema: store.schema)
                #expect(kept.take(record) == decoded, "record \(record.sequence) as kept differs from its decoding")
                #expect(kept.take(record) == nil, "a record is taken once")
            }
        }
    }

    @Test func otherBytesAtTheSameSequenceAreNotTakenForTheKeptRecord() throws {
        let kept = CommittedBuffers()
        let buffer = Samples.buffer([], sequence: 7)
        let bytes = try DeltaBufferCodec.encode(buffer, schema: Fixtures.retailSchema)
        kept.committed(buffer, bytes: bytes)
        var replaced = bytes
        replaced[replaced.count - 1] ^= 1
        #expect(kept.take(LogRecord(sequence: 7, buffer: replaced)) == nil)
        #expect(kept.take(LogRecord(sequence: 7, buffer: bytes)) == nil, "the entry was given up by the failed take")
    }

    @Test func theOldestRecordsGoFirstBeyondTheBound() throws {
        let kept = CommittedBuffers()
        var encoded: [Int64: [UInt8]] = [:]
        for sequence in 1...Int64(CommittedBuffers.maximumRecords + 10) {
            let buffer = Samples.buffer([], sequence: sequence)
            encoded[sequence] = try DeltaBufferCodec.encode(buffer, schema: Fixtures.retailSchema)
            kept.committed(buffer, bytes: encoded[sequence]!)
        }
        #expect(kept.take(LogRecord(sequence: 1, buffer: encoded[1]!)) == nil)
        let last = Int64(CommittedBuffers.maximumRecords + 10)
        #expect(kept.take(LogRecord(sequence: last, buffer: encoded[last]!))?.sequence == last)
    }
}
