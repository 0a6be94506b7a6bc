import ArborCore
import ArborTesting
import Testing

/// Issue 10 item 7: load answers are split by an upper bound of encoded size, so the bound
/// must never be below the real size.
@Suite struct DeltaBufferSizeBoundTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func theBoundIsNeverBelowTheEncodedSize(seed: UInt64) throws {
        var random = RandomDeltaBuffer(seed: seed)
        for iteration in 0..<100 {
            let buffer = random.buffer()
            let encoded = try DeltaBufferCodec.encode(buffer, schema: Fixtures.retailSchema)
            let bound = DeltaBufferCodec.headerSizeBound(schemaName: buffer.schemaName, originSite: buffer.originSite)
                + buffer.deltas.map(DeltaBufferCodec.sizeBound(of:)).reduce(0, +)
            #expect(bound >= encoded.count, "iteration \(iteration): bound \(bound) < encoded \(encoded.count)")
        }
    }
}
