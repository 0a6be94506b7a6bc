import ArborCore

/// One upload from a son to its father (DESIGN rule 9): the son's log buffers after the
/// father's position, keeping only the deltas the father would read from the son's log as an
/// unregistered edge with slice `arbor.father` (§2.6.1: creates, partials and updates that
/// carry the father topic).
///
/// The father moves the son's position only over buffers it receives (issue 11 item 3), so a
/// batch whose last log buffers have nothing for the father ends with an empty buffer at the
/// batch's last sequence: the father's position then covers them, and log trimming can drop them.
struct UploadBatch: Hashable, Sendable {
    /// The kept buffers (none empty), each with its original sequence.
    var buffers: [DeltaBuffer]
    /// The buffers encoded and concatenated, and the empty end buffer when there is one: the request body.
    var body: [UInt8]
    /// The son's log position the batch covers, including buffers with nothing for the father:
    /// the sequence of the body's last buffer.
    var throughSequence: Int64

    /// How the father reads a son's log (§2.6: "father-sites use unregistered edges").
    static let fatherReader = RoutingClient.unregistered(slice: .topic(SiteTopics.sliceName(SiteTopics.father)))

    /// The deltas of `buffer` bound for the father, in order.
    static func fatherBound(_ buffer: DeltaBuffer) -> DeltaBuffer {
        var kept = buffer
        kept.deltas = buffer.deltas.filter { DeltaRouter.route($0, to: fatherReader, registration: .unregistered).isDelivered }
        return kept
    }

    /// A batch of the leading `logBuffers` (in sequence order) within `maxBytes`, or nil when
    /// there are none. A single buffer larger than `maxBytes` goes alone.
    static func make(from logBuffers: [DeltaBuffer], schema: DistributionSchema, maxBytes: Int) throws(DeltaCodecError) -> UploadBatch? {
        guard let first = logBuffers.first else { return nil }
        var batch = UploadBatch(buffers: [], body: [], throughSequence: first.sequence)
        for buffer in logBuffers {
            let kept = fatherBound(buffer)
            if !kept.deltas.isEmpty {
                let encoded = try DeltaBufferCodec.encode(kept, schema: schema)
                if !batch.buffers.isEmpty, batch.body.count + encoded.count > maxBytes { break }
                batch.buffers.append(kept)
                batch.body += encoded
            }
            batch.throughSequence = buffer.sequence
        }
        if batch.buffers.last?.sequence != batch.throughSequence {
            batch.body += try DeltaBufferCodec.encode(
                DeltaBuffer(schemaName: first.schemaName, originSite: first.originSite, sequence: batch.throughSequence, deltas: []), schema: schema
            )
        }
        return batch
    }
}
